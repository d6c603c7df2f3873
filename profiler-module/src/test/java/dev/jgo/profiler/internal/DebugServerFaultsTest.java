package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.net.Net;
import dev.jgo.prof.DebugServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18: the debug server on the day something goes wrong (accept errors). Every test closes
 * what it started in {@link #cleanUp}, so a failure leaves nothing behind for the next class.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DebugServerFaultsTest {
    private final Logger jul = Logger.getLogger(DebugHttpServer.LOGGER); // strong reference while the test runs
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

    private GoRuntime rt;
    private DebugServer server;

    @BeforeEach
    void setUp() {
        jul.addHandler(handler);
        rt = GoRuntime.builder().procs(2).build();
    }

    @AfterEach
    void cleanUp() {
        jul.removeHandler(handler);
        if (server != null) {
            server.close();
        }
        rt.close();
    }

    private List<String> warningTexts() {
        synchronized (warnings) {
            return warnings.stream().map(LogRecord::getMessage).toList();
        }
    }

    static DebugServerTest.Answer get(int port, String target) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            return DebugServerTest.read(s.getInputStream());
        }
    }

    /** Item 1: six accept failures (EMFILE) in a row: one warning, then the server answers. */
    @Test
    void keepsServingAfterTemporaryAcceptErrors() throws Exception {
        FlakyListener l = new FlakyListener(Net.listen("127.0.0.1", 0))
                .failNext(6, () -> new IOException("accept tcp: Too many open files"));
        server = DebugHttpServer.serve(rt, l);
        assertEquals(200, get(server.port(), "/debug/pprof/").status());
        assertEquals(0, l.failuresLeft());
        assertEquals(1, warningTexts().size(), warningTexts().toString());
        assertTrue(
                warningTexts().get(0).contains("Too many open files"),
                warningTexts().toString());
        assertEquals(200, get(server.port(), "/debug/jgo/sched").status());
    }

    /** Item 3: only loopback literals and "localhost" count as private; anything else is warned about. */
    @Test
    void loopbackHostsAreTold() {
        for (String h : new String[] {"127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"}) {
            assertTrue(DebugHttpServer.isLoopback(h), h);
        }
        for (String h : new String[] {"0.0.0.0", "::", "192.0.2.7", "example.org"}) {
            assertTrue(!DebugHttpServer.isLoopback(h), h);
        }
    }

    /** Sends {@code raw} and reads until the server closes the connection. */
    private static String exchange(int port, String raw) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static int responses(String got) {
        return got.split("HTTP/1\\.1 \\d{3} ", -1).length - 1;
    }

    /**
     * Item 6: a POST whose body is a GET, by Content-Length and chunked, then a GET on the same
     * connection: one answer (405) and the connection closed; a GET with a body is answered, and
     * closed. Before, the body was served as a second request.
     */
    @Test
    void aRequestBodyIsNeverServedAsARequest() throws Exception {
        server = DebugServer.start(rt, 0);
        String smuggled = "GET /debug/jgo/sched HTTP/1.1\r\nHost: x\r\n\r\n";
        String last = "GET /debug/pprof/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        String[] heads = {
            "POST /debug/jgo/sched HTTP/1.1\r\nHost: x\r\nContent-Length: " + smuggled.length() + "\r\n\r\n" + smuggled,
            "POST /debug/jgo/sched HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(smuggled.length()) + "\r\n" + smuggled + "\r\n0\r\n\r\n",
            "GET /debug/pprof/ HTTP/1.1\r\nHost: x\r\nContent-Length: " + smuggled.length() + "\r\n\r\n" + smuggled,
            "GET /debug/pprof/ HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\n" + smuggled,
            "GET /debug/pprof/ HTTP/1.1\r\nHost: x\r\nX: y\nContent-Length: 5\r\n\r\n" + smuggled,
        };
        int[] status = {405, 405, 200, 400, 400};
        for (int i = 0; i < heads.length; i++) {
            String got = exchange(server.port(), heads[i] + last);
            assertEquals(1, responses(got), heads[i] + " -> " + got);
            assertTrue(got.startsWith("HTTP/1.1 " + status[i] + " "), heads[i] + " -> " + got);
            assertTrue(got.contains("\r\nConnection: close\r\n"), got);
        }
        // no body (Content-Length: 0): the connection stays open for the next request
        String got = exchange(server.port(), "POST /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n" + last);
        assertEquals(2, responses(got), got);
    }

    /** Opens a connection and sends a request for {@code target} (kept alive); the caller closes it. */
    private static Socket begin(int port, String target) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        s.getOutputStream()
                .write(("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return s;
    }

    /** Waits up to 20 s for {@code cond}. */
    private static void await(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(10);
        }
    }

    /**
     * Item 5: an hour-long profile and trace whose clients leave stop within seconds, the trace's
     * temporary file is deleted, and the next profile and trace are served. Before, both ran on
     * for the hour (every new request got 409) and the file stayed behind.
     */
    @Test
    void anAbandonedProfileAndTraceStopAndCleanUp() throws Exception {
        server = DebugServer.start(rt, 0);
        DebugHttpServer impl = (DebugHttpServer) server;
        Socket profile = begin(server.port(), "/debug/pprof/profile?seconds=3600");
        Socket trace = begin(server.port(), "/debug/jgo/trace?seconds=3600");
        java.nio.file.Path file;
        try {
            DebugServerTest.awaitBusy(() -> DebugHttpServer.cpuEndsAt != 0);
            DebugServerTest.awaitBusy(() -> DebugHttpServer.traceEndsAt != 0 && impl.traceFile != null);
            file = impl.traceFile;
            assertTrue(java.nio.file.Files.exists(file), file.toString());
        } finally {
            profile.close();
            trace.close();
        }
        await(() -> DebugHttpServer.cpuEndsAt == 0, "the abandoned profile still runs");
        await(() -> DebugHttpServer.traceEndsAt == 0, "the abandoned trace still runs");
        await(() -> !java.nio.file.Files.exists(file), "the abandoned trace's file is left behind: " + file);
        assertTrue(!DebugServerTest.cpuBusy() && !DebugServerTest.traceBusy());
        assertEquals(200, get(server.port(), "/debug/pprof/profile?seconds=1").status());
        assertEquals(200, get(server.port(), "/debug/jgo/trace?seconds=1").status());
    }

    /**
     * Item 5: one profile and one trace at a time; the second gets 409 with how long the running
     * one has left, in its text and in Retry-After. A pipelined request behind the running one is
     * still answered after it.
     */
    @Test
    void aSecondProfileOrTraceGets409SayingHowLongTheFirstHasLeft() throws Exception {
        server = DebugServer.start(rt, 0);
        for (String[] c : new String[][] {{"/debug/pprof/profile", "CPU profile"}, {"/debug/jgo/trace", "trace"}}) {
            try (Socket first = begin(server.port(), c[0] + "?seconds=30")) {
                DebugServerTest.awaitBusy(
                        () -> c[1].equals("trace") ? DebugHttpServer.traceEndsAt != 0 : DebugHttpServer.cpuEndsAt != 0);
                DebugServerTest.Answer a = get(server.port(), c[0] + "?seconds=1");
                assertEquals(409, a.status(), a.text());
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                                "a " + c[1] + " is already running, one at a time: it ends in (\\d+) s")
                        .matcher(a.text());
                assertTrue(m.find(), a.text());
                int left = Integer.parseInt(m.group(1));
                assertTrue(left >= 1 && left <= 30, a.text());
                assertEquals(String.valueOf(left), a.headers().get("retry-after"));
            }
            await(() -> DebugHttpServer.cpuEndsAt == 0 && DebugHttpServer.traceEndsAt == 0, "first one still runs");
        }
        // a request pipelined behind a short profile is read by the client watch and still answered
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream()
                    .write(("GET /debug/pprof/profile?seconds=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                                    + "GET /debug/jgo/sched HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(200, DebugServerTest.read(s.getInputStream()).status());
            DebugServerTest.Answer sched = DebugServerTest.read(s.getInputStream());
            assertEquals(200, sched.status());
            assertTrue(sched.text().contains("SCHED"), sched.text());
        }
    }

    /**
     * Item 2: with a 1 s read-header timeout, a silent connection, a partial head and a head sent
     * one line every 200 ms are all closed within seconds; a keep-alive connection closes at the
     * idle timeout. Before, all stayed open.
     */
    @Test
    void slowClientsAreClosedAtTheirTimeouts() throws Exception {
        server = DebugHttpServer.start(
                rt, "127.0.0.1", 0, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(2));
        int port = server.port();
        List<Socket> socks = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread trickle = null;
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                socks.add(new Socket("127.0.0.1", port));
            }
            socks.get(1).getOutputStream().write("GET /debug/pprof/ HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            java.io.OutputStream so = socks.get(2).getOutputStream();
            trickle = new Thread(() -> {
                try {
                    so.write("GET /debug/pprof/ HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; !stop.get(); i++) {
                        so.write(("X-" + i + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
                        Thread.sleep(200);
                    }
                } catch (IOException | InterruptedException e) {
                    // closed by the server
                }
            });
            trickle.start();
            for (Socket s : socks) {
                long ms = msUntilClosed(s, t0);
                assertTrue(ms >= 900 && ms < 15_000, "closed after " + ms + " ms");
            }
            // keep-alive: answered, then closed when idle (2 s), not at the header timeout (1 s)
            try (Socket k = new Socket("127.0.0.1", port)) {
                k.setSoTimeout(15_000);
                k.getOutputStream()
                        .write("GET /debug/pprof/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(200, DebugServerTest.read(k.getInputStream()).status());
                long ms = msUntilClosed(k, System.nanoTime());
                assertTrue(ms >= 1_500 && ms < 15_000, "idle connection closed after " + ms + " ms");
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
    }

    /** Milliseconds from {@code t0} until the server closes {@code s}; at most 15 s. */
    private static long msUntilClosed(Socket s, long t0) throws IOException {
        s.setSoTimeout(15_000);
        try {
            while (s.getInputStream().read() >= 0) {
                // nothing complete was sent: no answer to read
            }
        } catch (java.net.SocketException e) {
            // reset: closed too
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }
}
