package dev.jgo.netpoll.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import dev.jgo.spi.NetPoller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who polls (SelectorNetPoller "who polls"): a runtime that uses the network drives the poller
 * with its own Ms and sysmon, the poller's thread stands down meanwhile, and takes over again
 * when the runtime closes.
 */
@Timeout(60)
class PollerDriverTest {

    /** Ping-pong over loopback: {@code rounds} one-byte round trips, the echo side pausing at times. */
    private static int pingPong(GoRuntime rt, int rounds) {
        return rt.run(() -> {
            try (Listener l = Net.listen("127.0.0.1", 0);
                    Conn c = Net.dial("127.0.0.1", l.port());
                    Conn s = l.accept()) {
                Go.go(() -> {
                    ByteBuffer b = ByteBuffer.allocate(1);
                    try {
                        for (int i = 0; i < rounds; i++) {
                            s.read(b.clear());
                            if (i % 10 == 0) {
                                Go.blocking(
                                        () -> { // the other side's M goes idle: it polls
                                            Thread.sleep(1);
                                            return null;
                                        });
                            }
                            s.write(b.flip());
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                ByteBuffer b = ByteBuffer.allocate(1);
                int sum = 0;
                for (int i = 0; i < rounds; i++) {
                    c.write(ByteBuffer.wrap(new byte[] {(byte) i}));
                    c.read(b.clear());
                    sum += b.get(0) & 0xff;
                }
                return sum;
            }
        });
    }

    private static int expected(int rounds) {
        int sum = 0;
        for (int i = 0; i < rounds; i++) {
            sum += i & 0xff;
        }
        return sum;
    }

    @Test
    void aRuntimeDrivesThePollerAndItsThreadStandsDown() {
        SelectorNetPoller np = (SelectorNetPoller) NetPoller.get();
        int before = np.drivers();
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            assertEquals(expected(50), pingPong(rt, 50)); // first use: the runtime attaches
            assertEquals(before + 1, np.drivers(), "the runtime drives the poller");
            long own = np.ownThreadWakes.get();
            assertEquals(expected(300), pingPong(rt, 300));
            assertEquals(own, np.ownThreadWakes.get(), "the poller's own thread readied nothing meanwhile");
        }
        assertEquals(before, np.drivers(), "close detaches");
    }

    @Test
    void twoRuntimesShareThePollerAndOneOutlivesTheOther() {
        SelectorNetPoller np = (SelectorNetPoller) NetPoller.get();
        int before = np.drivers();
        try (GoRuntime a = GoRuntime.builder().procs(1).build()) {
            try (GoRuntime b = GoRuntime.builder().procs(2).build()) {
                assertEquals(expected(100), pingPong(a, 100));
                assertEquals(expected(100), pingPong(b, 100));
                assertEquals(before + 2, np.drivers());
            }
            assertEquals(expected(200), pingPong(a, 200), "a still polls after b closed");
            assertEquals(before + 1, np.drivers());
        }
        assertEquals(before, np.drivers());
    }
}
