package dev.jgo.netpoll.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.net.AcceptLoop;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 18, item 1: the example servers outlive temporary accept errors (EMFILE and the like). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AcceptLoopTest {
    private static final String HELLO_REQ = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final String HELLO_RESP =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";

    private final Logger jul = Logger.getLogger(AcceptLoop.LOGGER); // strong reference while the test runs
    private final List<LogRecord> warnings = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (warnings) {
                    warnings.add(r);
                }
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void listen() {
        jul.addHandler(handler);
    }

    @AfterEach
    void unlisten() {
        jul.removeHandler(handler);
    }

    private int warningCount() {
        synchronized (warnings) {
            return warnings.size();
        }
    }

    private static IOException emfile() {
        return new IOException("accept tcp: Too many open files");
    }

    /** One request and its answer on a fresh connection, from outside the runtime. */
    private static void exchange(String kind, int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            String req = kind.equals("http") ? HELLO_REQ : "ping";
            String want = kind.equals("http") ? HELLO_RESP : "ping";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertEquals(want, new String(in.readNBytes(want.length()), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void delaysDoubleFromFiveMillisecondsUpToOneSecond() {
        List<Long> ms = new ArrayList<>();
        Duration d = Duration.ZERO;
        for (int i = 0; i < 10; i++) {
            d = AcceptLoop.nextDelay(d);
            ms.add(d.toMillis());
        }
        assertEquals(List.of(5L, 10L, 20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L), ms);
    }

    /**
     * Six accept failures in a row, twice, with more than the burst's quiet time between: the
     * server backs off (at least 5+10+...+160 ms before the first connection is answered), logs
     * one warning per burst and keeps serving.
     */
    @ParameterizedTest
    @ValueSource(strings = {"http", "echo"})
    void serverKeepsServingAfterTemporaryAcceptErrors(String kind) throws Exception {
        Duration quiet = Duration.ofMillis(300);
        Consumer<Listener> serve = kind.equals("http")
                ? l -> AcceptLoop.serve(
                        l,
                        kind,
                        System.getLogger(AcceptLoop.LOGGER),
                        quiet,
                        () -> false,
                        c -> dev.jgo.Go.go(() -> HelloHttpServer.handle(c)))
                : l -> AcceptLoop.serve(
                        l,
                        kind,
                        System.getLogger(AcceptLoop.LOGGER),
                        quiet,
                        () -> false,
                        c -> dev.jgo.Go.go(() -> EchoServer.handle(c)));
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            FlakyListener l = new FlakyListener(Net.listen("127.0.0.1", 0)).failNext(6, AcceptLoopTest::emfile);
            CountDownLatch ended = new CountDownLatch(1);
            AtomicReference<Throwable> err = new AtomicReference<>();
            long t0 = System.nanoTime();
            rt.go(() -> {
                try {
                    serve.accept(l);
                } catch (Throwable t) {
                    err.set(t);
                } finally {
                    ended.countDown();
                }
            });
            try {
                exchange(kind, l.port()); // answered only after the first burst
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertEquals(0, l.failuresLeft());
                assertTrue(ms >= 5 + 10 + 20 + 40 + 80 + 160, "no back-off: answered after " + ms + " ms");
                assertEquals(1, warningCount(), "one warning per burst");
                Thread.sleep(2 * quiet.toMillis());
                // The loop already waits in the real accept: the next connection is answered, then
                // the second burst runs, then the third connection is answered.
                l.failNext(6, AcceptLoopTest::emfile);
                exchange(kind, l.port());
                exchange(kind, l.port());
                assertEquals(0, l.failuresLeft());
                assertEquals(2, warningCount(), "one warning per burst");
                assertEquals(1, ended.getCount(), "the accept loop ended: " + err.get());
            } finally {
                l.close();
            }
            assertTrue(ended.await(10, TimeUnit.SECONDS), "a closed listener ends the loop");
            assertNull(err.get());
            assertEquals(2, warningCount(), "closing is not an error");
        }
    }

    /** Failures and successes in turn (a server at its descriptor limit) are one burst: one warning. */
    @Test
    void failuresBetweenSuccessesWithinTheQuietTimeAreOneBurst() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            FlakyListener l = new FlakyListener(Net.listen("127.0.0.1", 0));
            CountDownLatch ended = new CountDownLatch(1);
            rt.go(() -> {
                try {
                    HelloHttpServer.serve(l);
                } finally {
                    ended.countDown();
                }
            });
            try {
                for (int i = 0; i < 5; i++) {
                    exchange("http", l.port());
                    // fails before the next connection or, if the loop already waits in the real
                    // accept, right after it: two more connections see them all used up
                    l.failNext(3, AcceptLoopTest::emfile);
                }
                exchange("http", l.port());
                exchange("http", l.port());
                assertEquals(0, l.failuresLeft());
                assertEquals(1, warningCount(), "one warning for the whole burst");
            } finally {
                l.close();
            }
            assertTrue(ended.await(10, TimeUnit.SECONDS), "a closed listener ends the loop");
        }
    }

    @Test
    void anErrorThatIsNotIoEndsTheLoopWithIt() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            FlakyListener l = new FlakyListener(Net.listen("127.0.0.1", 0))
                    .failNext(1, () -> new IllegalStateException("broken runtime"));
            CountDownLatch ended = new CountDownLatch(1);
            AtomicReference<Throwable> err = new AtomicReference<>();
            rt.go(() -> {
                try {
                    HelloHttpServer.serve(l);
                } catch (Throwable t) {
                    err.set(t);
                } finally {
                    ended.countDown();
                }
            });
            try {
                assertTrue(ended.await(10, TimeUnit.SECONDS));
            } finally {
                l.close();
            }
            assertInstanceOf(IllegalStateException.class, err.get());
        }
    }

    @Test
    void isClosedTellsAClosedListenerFromOtherErrors() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            Listener l = Net.listen("127.0.0.1", 0);
            l.close();
            IOException closed = rt.run(() -> {
                try {
                    l.accept();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            assertTrue(AcceptLoop.isClosed(closed), String.valueOf(closed));
            assertTrue(!AcceptLoop.isClosed(emfile()));
            assertTrue(!AcceptLoop.isClosed(new java.net.SocketException("Connection reset")));
        }
    }
}
