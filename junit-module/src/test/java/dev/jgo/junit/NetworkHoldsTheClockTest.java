package dev.jgo.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgo.Go;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import dev.jgo.sync.Chan;
import dev.jgo.time.Time;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Timeout;

/**
 * A goroutine waiting on the network is not durably blocked (its poll descriptor holds a waker),
 * so virtual time waits for it, as Go's synctest waits for I/O.
 */
@Timeout(60)
class NetworkHoldsTheClockTest {
    static final Instant START = Instant.parse("2000-01-01T00:00:00Z");

    @GoTest(procs = 2)
    void theClockWaitsForAGoroutineInNetworkIo() throws IOException {
        Listener l = Net.listen("127.0.0.1", 0);
        int port = l.port();
        Chan<Instant> readAt = Chan.make(1);
        Go.go(() -> {
            try {
                Conn c = l.accept(); // network I/O: the clock holds
                c.read(ByteBuffer.allocate(1)); // network I/O again
                readAt.send(Time.now());
                c.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        // A plain thread on the wall clock: connects, then writes a byte 300 ms later.
        Thread peer = new Thread(() -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                Thread.sleep(300);
                s.getOutputStream().write(1);
                s.getInputStream().read(); // until the goroutine closes
            } catch (IOException | InterruptedException e) {
                // the assertions below report what went wrong
            }
        });
        peer.start();
        try {
            Go.sleep(Duration.ofHours(1)); // cannot end while the goroutine waits on the network
            assertEquals(START, readAt.recv(), "the clock moved while a goroutine waited on the network");
            assertEquals(START.plus(Duration.ofHours(1)), Time.now());
        } finally {
            l.close();
            Go.blocking(() -> {
                peer.join(10_000);
                return null;
            });
        }
    }
}
