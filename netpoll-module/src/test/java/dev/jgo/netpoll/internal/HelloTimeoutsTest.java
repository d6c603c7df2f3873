package dev.jgo.netpoll.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 18, item 2: slow and silent clients cannot hold the hello server's connections. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HelloTimeoutsTest {
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";

    /** Runs {@code body} against a hello server with timeouts {@code t}; closes everything after. */
    private static void withServer(HttpTimeouts t, ServerBody body) throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Listener l = Net.listen("127.0.0.1", 0);
            CountDownLatch ended = new CountDownLatch(1);
            rt.go(() -> {
                try {
                    HelloHttpServer.serve(l, t);
                } finally {
                    ended.countDown();
                }
            });
            try {
                body.run(l.port());
            } finally {
                l.close();
            }
            assertTrue(ended.await(10, TimeUnit.SECONDS));
        }
    }

    interface ServerBody {
        void run(int port) throws Exception;
    }

    /** Milliseconds until the server closes {@code s} (end of stream or reset); fails after {@code maxMs}. */
    static long msUntilClosed(Socket s, long t0, long maxMs) throws IOException {
        s.setSoTimeout((int) maxMs);
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // an answer would be a failure of its own; the callers send no complete request
            }
        } catch (SocketException e) {
            // reset: closed too
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /**
     * Three slowloris connections: no bytes, a partial head, and a header line every 200 ms (which
     * a deadline renewed on every read would never end). With a 1 s read-header timeout and a 30 s
     * idle timeout, all are closed within seconds, none before the second is up.
     */
    @Test
    void slowlorisConnectionsAreClosedAtTheReadHeaderTimeout() throws Exception {
        withServer(new HttpTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(30)), port -> {
            List<Socket> socks = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread trickle = null;
            try {
                long t0 = System.nanoTime();
                Socket silent = new Socket("127.0.0.1", port);
                Socket partial = new Socket("127.0.0.1", port);
                Socket slow = new Socket("127.0.0.1", port);
                socks.addAll(List.of(silent, partial, slow));
                partial.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                OutputStream so = slow.getOutputStream();
                so.write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
                trickle = new Thread(() -> {
                    try {
                        for (int i = 0; !stop.get(); i++) {
                            so.write(("X-" + i + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
                            so.flush();
                            Thread.sleep(200);
                        }
                    } catch (IOException | InterruptedException e) {
                        // closed by the server
                    }
                });
                trickle.start();
                for (Socket s : socks) {
                    long ms = msUntilClosed(s, t0, 15_000);
                    assertTrue(ms >= 900 && ms < 15_000, "closed after " + ms + " ms");
                }
            } finally {
                stop.set(true);
                for (Socket s : socks) {
                    s.close();
                }
                if (trickle != null) {
                    trickle.join(10_000);
                }
            }
        });
    }

    /**
     * Between requests the idle timeout applies, not the read-header one: a request 1.5 s after
     * the last answer (past the 1 s header timeout) is served; then the idle connection is closed
     * at the 3 s idle timeout.
     */
    @Test
    void keepAliveConnectionsCloseAtTheIdleTimeout() throws Exception {
        withServer(new HttpTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(3)), port -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(15_000);
                OutputStream o = s.getOutputStream();
                InputStream in = s.getInputStream();
                byte[] req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                o.write(req);
                assertEquals(OK, new String(in.readNBytes(OK.length()), StandardCharsets.US_ASCII));
                Thread.sleep(1_500);
                o.write(req);
                assertEquals(OK, new String(in.readNBytes(OK.length()), StandardCharsets.US_ASCII));
                long t0 = System.nanoTime();
                long ms = msUntilClosed(s, t0, 15_000);
                assertTrue(ms >= 1_500 && ms < 15_000, "idle connection closed after " + ms + " ms");
            }
        });
    }

    @Test
    void timeoutsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new HttpTimeouts(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(
                IllegalArgumentException.class, () -> new HttpTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(-1)));
        assertEquals(
                Duration.ofMillis(375), new HttpTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(3)).idleSlack());
        assertEquals(Duration.ofSeconds(1), HttpTimeouts.DEFAULT.idleSlack());
    }
}
