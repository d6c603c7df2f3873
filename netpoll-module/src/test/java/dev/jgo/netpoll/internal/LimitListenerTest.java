package dev.jgo.netpoll.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18: {@code --max-conns} (Go's netutil.LimitListener): past the limit a connection waits,
 * unserved, until an open one closes; closing the listener ends the wait.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LimitListenerTest {
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
    private static final byte[] GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static String ask(Socket s) throws IOException {
        s.getOutputStream().write(GET);
        return new String(s.getInputStream().readNBytes(OK.length()), StandardCharsets.US_ASCII);
    }

    @Test
    void pastTheLimitAConnectionWaitsUntilAnotherCloses() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Listener l = LimitListener.of(Net.listen("127.0.0.1", 0), 2);
            CountDownLatch ended = new CountDownLatch(1);
            rt.go(() -> {
                try {
                    HelloHttpServer.serve(l);
                } finally {
                    ended.countDown();
                }
            });
            try (Socket a = new Socket("127.0.0.1", l.port());
                    Socket b = new Socket("127.0.0.1", l.port());
                    Socket c = new Socket("127.0.0.1", l.port())) {
                for (Socket s : new Socket[] {a, b, c}) {
                    s.setSoTimeout(10_000);
                }
                assertEquals(OK, ask(a));
                assertEquals(OK, ask(b));
                c.getOutputStream().write(GET);
                c.setSoTimeout(1500);
                assertThrows(
                        SocketTimeoutException.class, () -> c.getInputStream().read(), "the third is not served");
                a.close();
                c.setSoTimeout(10_000);
                long t0 = System.nanoTime();
                assertEquals(OK, new String(c.getInputStream().readNBytes(OK.length()), StandardCharsets.US_ASCII));
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
                assertEquals(OK, ask(b)); // the others are served as before
            } finally {
                l.close(); // also ends an accept waiting for a slot
            }
            assertTrue(ended.await(10, TimeUnit.SECONDS), "closing the listener ended the server");
        }
    }

    @Test
    void closingTheListenerEndsAnAcceptWaitingForASlot() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Listener l = LimitListener.of(Net.listen("127.0.0.1", 0), 1);
            CountDownLatch ended = new CountDownLatch(1);
            rt.go(() -> {
                try {
                    HelloHttpServer.serve(l);
                } finally {
                    ended.countDown();
                }
            });
            try (Socket a = new Socket("127.0.0.1", l.port())) {
                a.setSoTimeout(10_000);
                assertEquals(OK, ask(a)); // holds the only slot: the loop now waits in acquire
                l.close();
                assertTrue(ended.await(10, TimeUnit.SECONDS), "the waiting accept ended");
            }
        }
    }

    @Test
    void aLimitBelowOneIsRefused() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            Listener l = Net.listen("127.0.0.1", 0);
            try {
                assertThrows(IllegalArgumentException.class, () -> LimitListener.of(l, 0));
            } finally {
                l.close();
            }
        }
    }
}
