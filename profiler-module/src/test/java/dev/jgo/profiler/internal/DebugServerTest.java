package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.prof.DebugServer;
import dev.jgo.prof.Pprof;
import dev.jgo.profiler.testapp.UserCode;
import dev.jgo.sync.Chan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The debug endpoints over real sockets: a plain blocking client on a platform thread, answers
 * decoded (gunzipped pprof, trace JSON, text).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DebugServerTest {
    private static GoRuntime rt;
    private static DebugServer server;
    private static Chan<Integer> parked;
    private static final AtomicBoolean stop = new AtomicBoolean();

    @BeforeAll
    static void start() throws Exception {
        rt = GoRuntime.builder().procs(2).build();
        parked = Chan.make(0);
        Goroutine g = rt.go(() -> UserCode.parkedInDistinctiveReceive(parked));
        GoroutineProfileTest.awaitState(g, Goroutine.State.WAITING);
        rt.go(() -> CpuProfileTest.spinInDistinctiveMethod(stop));
        server = DebugServer.start(rt, 0);
        assertTrue(server.port() > 0);
    }

    @AfterAll
    static void stop() {
        stop.set(true);
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (rt != null) {
                rt.close();
            }
        }
    }

    record Answer(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Reads one response: status line, headers, then exactly Content-Length bytes. */
    static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("end of stream in the response head: " + head);
            }
            head.write(b);
            state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        assertTrue(lines[0].startsWith("HTTP/1.1 "), lines[0]);
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, c).toLowerCase(Locale.ROOT),
                    lines[i].substring(c + 1).trim());
        }
        String len = headers.get("content-length");
        assertTrue(len != null, "Content-Length missing: " + headers);
        byte[] body = in.readNBytes(Integer.parseInt(len));
        assertEquals(Integer.parseInt(len), body.length, "short body");
        return new Answer(status, headers, body);
    }

    static Answer get(String target) throws IOException {
        return request("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    }

    /** A goroutine dump: once more after the Retry-After of a 429 (one dump per second). */
    static Answer dump(String target) throws Exception {
        Answer a = get(target);
        if (a.status() == 429) {
            Thread.sleep(TimeUnit.SECONDS.toMillis(Long.parseLong(a.headers().get("retry-after"))));
            a = get(target);
        }
        return a;
    }

    static Answer request(String raw) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            return read(s.getInputStream());
        }
    }

    @Test
    void indexAndKeepAlive() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(60_000);
            OutputStream o = s.getOutputStream();
            InputStream in = s.getInputStream();
            o.write("GET /debug/pprof/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Answer a = read(in);
            assertEquals(200, a.status());
            assertTrue(a.headers().get("content-type").startsWith("text/html"));
            for (String p :
                    List.of("/debug/pprof/profile", "/debug/pprof/goroutine", "/debug/jgo/trace", "/debug/jgo/sched")) {
                assertTrue(a.text().contains(p), p + " not in the index");
            }
            // same connection: kept alive
            o.write("GET /debug/jgo/sched HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            Answer b = read(in);
            assertEquals(200, b.status());
            assertTrue(b.text().contains("SCHED ") && b.text().contains("  P0: status="), b.text());
            assertTrue(b.text().contains("  M0: p="), b.text());
            assertEquals(-1, in.read(), "closed after Connection: close");
        }
    }

    @Test
    void cpuProfileIsGzippedPprofDominatedByTheSpinner() throws Exception {
        Answer a = get("/debug/pprof/profile?seconds=1");
        assertEquals(200, a.status(), a.text());
        assertEquals("application/octet-stream", a.headers().get("content-type"));
        ProtoReader.Profile p = ProtoReader.profile(a.body());
        assertEquals("cpu", p.periodType()[0]);
        assertEquals("samples", p.sampleTypes().get(0)[0]);
        long total = 0;
        long inSpin = 0;
        for (ProtoReader.Profile.Sample s : p.samples()) {
            total += s.values()[0];
            if (p.functions(s).stream().anyMatch(f -> f.endsWith(".spinInDistinctiveMethod"))) {
                inSpin += s.values()[0];
            }
        }
        assertTrue(total >= 10, "too few samples: " + total);
        assertTrue(inSpin * 3 > total, "spinInDistinctiveMethod should be prominent: " + inSpin + " of " + total);
    }

    @Test
    void goroutineProfileInEveryDebugLevel() throws Exception {
        Answer d0 = dump("/debug/pprof/goroutine");
        assertEquals(200, d0.status(), d0.text());
        ProtoReader.Profile p = ProtoReader.profile(d0.body());
        assertEquals("goroutine", p.sampleTypes().get(0)[0]);
        assertTrue(
                p.samples().stream()
                        .anyMatch(
                                s -> p.functions(s).stream().anyMatch(f -> f.endsWith(".parkedInDistinctiveReceive"))),
                "parked goroutine in the pprof goroutine profile");

        Answer d1 = dump("/debug/pprof/goroutine?debug=1");
        assertEquals(200, d1.status());
        assertTrue(d1.text().startsWith("goroutine profile: total "), d1.text());
        assertTrue(d1.text().contains("parkedInDistinctiveReceive"), d1.text());

        Answer d2 = dump("/debug/pprof/goroutine?debug=2");
        assertEquals(200, d2.status());
        assertTrue(d2.text().contains(" [chan receive"), d2.text());
        assertTrue(d2.text().contains("parkedInDistinctiveReceive"), d2.text());
    }

    @Test
    @SuppressWarnings("unchecked")
    void traceIsChromeTraceJson() throws Exception {
        Answer a = get("/debug/jgo/trace?seconds=1");
        assertEquals(200, a.status(), a.text());
        assertEquals("application/json", a.headers().get("content-type"));
        Map<String, Object> root = (Map<String, Object>) MiniJson.parse(a.text());
        List<Map<String, Object>> evs = (List<Map<String, Object>>) root.get("traceEvents");
        assertTrue(
                evs.stream().anyMatch(e -> "M".equals(e.get("ph")) && "process_name".equals(e.get("name"))),
                "process names");
        assertTrue(evs.stream().anyMatch(e -> "X".equals(e.get("ph"))), "at least one slice: the spinner's run");
    }

    @Test
    @SuppressWarnings("unchecked")
    void flightRecorderEndpointWritesTheRunningRecordersWindow() throws Exception {
        Answer none = get("/debug/jgo/flightrecorder");
        assertEquals(404, none.status(), none.text());
        dev.jgo.prof.FlightRecorder fr = dev.jgo.prof.Trace.newFlightRecorder(java.time.Duration.ofSeconds(5), 1 << 20);
        fr.start();
        try {
            Thread.sleep(200); // the spinner yields meanwhile
            Answer a = get("/debug/jgo/flightrecorder");
            assertEquals(200, a.status(), a.text());
            assertEquals("application/json", a.headers().get("content-type"));
            assertTrue(a.body().length <= 1 << 20, "within maxBytes");
            Map<String, Object> root = (Map<String, Object>) MiniJson.parse(a.text());
            List<Map<String, Object>> evs = (List<Map<String, Object>>) root.get("traceEvents");
            assertTrue(evs.stream().anyMatch(e -> "X".equals(e.get("ph"))), "at least one slice: the spinner's run");
        } finally {
            fr.stop();
        }
    }

    @Test
    void badInputGets400Or404WithAMessage() throws Exception {
        String[][] cases = {
            {"/debug/pprof/profile?seconds=0", "400", "seconds=0 out of range: must be 1..3600"},
            {"/debug/pprof/profile?seconds=3601", "400", "seconds=3601 out of range"},
            {"/debug/pprof/profile?seconds=abc", "400", "bad seconds parameter 'abc'"},
            {"/debug/jgo/trace?seconds=-1", "400", "seconds=-1 out of range"},
            {"/debug/pprof/goroutine?debug=3", "400", "debug=3 out of range: must be 0..2"},
            {"/debug/pprof/goroutine?debug=x", "400", "bad debug parameter 'x'"},
            {"/debug/pprof/heap", "404", "404 page not found: /debug/pprof/heap"},
            {"/", "404", "404 page not found"},
        };
        for (String[] c : cases) {
            Answer a = get(c[0]);
            assertEquals(Integer.parseInt(c[1]), a.status(), c[0] + ": " + a.text());
            assertTrue(a.text().contains(c[2]), c[0] + ": " + a.text());
        }
        Answer post = request("POST /debug/jgo/sched HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertEquals(405, post.status());
        Answer junk = request("NONSENSE\r\n\r\n");
        assertEquals(400, junk.status());
        assertTrue(junk.text().contains("malformed request line"), junk.text());
    }

    @Test
    void secondCpuProfileGets409() throws Exception {
        ByteArrayOutputStream held = new ByteArrayOutputStream();
        Pprof.startCpuProfile(held);
        try {
            Answer a = get("/debug/pprof/profile?seconds=1");
            assertEquals(409, a.status());
            assertTrue(a.text().contains("cpu profiling already in use"), a.text());
        } finally {
            Pprof.stopCpuProfile();
        }
    }

    @Test
    void goToolPprofReadsTheEndpointsProfile(@TempDir Path dir) throws Exception {
        Path go = CpuProfileTest.findGo();
        Assumptions.assumeTrue(
                go != null,
                "skipped: Go is not installed (apt-get install golang-go) so 'go tool pprof' cannot be run");
        Path f = dir.resolve("profile.pb.gz");
        Files.write(f, get("/debug/pprof/profile?seconds=1").body());
        Process pr = new ProcessBuilder(go.toString(), "tool", "pprof", "-top", f.toString())
                .redirectErrorStream(true)
                .start();
        String text = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(pr.waitFor(50, TimeUnit.SECONDS), "go tool pprof hung");
        assertEquals(0, pr.exitValue(), text);
        assertTrue(text.contains("Type: cpu"), text);
    }

    @Test
    void closedServerRefusesAndBadPortThrows() throws Exception {
        try (GoRuntime r = GoRuntime.builder().procs(1).build()) {
            DebugServer s = DebugServer.start(r, 0);
            int port = s.port();
            try {
                s.close();
            } finally {
                s.close(); // idempotent
            }
            assertThrows(IOException.class, () -> {
                try (Socket c = new Socket("127.0.0.1", port)) {
                    c.setSoTimeout(10_000);
                    c.getOutputStream().write("GET /debug/pprof/ HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    read(c.getInputStream());
                }
            });
            assertThrows(IllegalArgumentException.class, () -> DebugServer.start(r, 70_000));
            assertThrows(java.net.BindException.class, () -> DebugServer.start(r, server.port()));
        }
    }

    /**
     * Waits until {@code busy} says a debug server's profile or trace runs. It must not probe by
     * starting a profile itself: the probe would race with the handler starting its own (409).
     */
    static void awaitBusy(java.util.function.BooleanSupplier busy) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!busy.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the endpoint never started");
            Thread.sleep(10);
        }
    }

    static boolean cpuBusy() {
        try {
            Pprof.startCpuProfile(OutputStream.nullOutputStream());
        } catch (IllegalStateException e) {
            return true;
        }
        Pprof.stopCpuProfile();
        return false;
    }

    static boolean traceBusy() {
        try {
            dev.jgo.prof.Trace.start(OutputStream.nullOutputStream());
        } catch (IllegalStateException e) {
            return true;
        }
        dev.jgo.prof.Trace.stop();
        return false;
    }

    /** Closing the server, or its runtime, during hour-long requests stops them and frees the profiler. */
    @Test
    void closeStopsAProfileAndATraceInProgress() throws Exception {
        for (boolean closeRuntime : new boolean[] {false, true}) {
            GoRuntime r = GoRuntime.builder().procs(1).build();
            DebugServer s = DebugServer.start(r, 0);
            java.util.concurrent.ConcurrentLinkedQueue<String> outcomes =
                    new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> clients = new java.util.ArrayList<>();
            for (String path : List.of("/debug/pprof/profile?seconds=3600", "/debug/jgo/trace?seconds=3600")) {
                Thread t = new Thread(() -> {
                    try (Socket c = new Socket("127.0.0.1", s.port())) {
                        c.setSoTimeout(30_000);
                        c.getOutputStream()
                                .write(("GET " + path + " HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        outcomes.add("status " + read(c.getInputStream()).status());
                    } catch (IOException e) {
                        outcomes.add(e instanceof java.net.SocketTimeoutException ? "timeout" : "closed");
                    }
                });
                t.start();
                clients.add(t);
            }
            try {
                awaitBusy(() -> DebugHttpServer.cpuEndsAt != 0);
                awaitBusy(() -> DebugHttpServer.traceEndsAt != 0);
                if (closeRuntime) {
                    r.close();
                } else {
                    s.close();
                }
                for (Thread t : clients) {
                    t.join(40_000);
                }
                assertEquals(2, outcomes.size(), outcomes.toString());
                assertTrue(
                        outcomes.stream().allMatch(o -> o.equals("closed") || o.equals("status 503")),
                        outcomes.toString());
                assertTrue(!cpuBusy(), "the CPU profiler is free again (closeRuntime=" + closeRuntime + ")");
                assertTrue(!traceBusy(), "the tracer is free again (closeRuntime=" + closeRuntime + ")");
            } finally {
                // whatever failed above, nothing is left running for the next test or class
                s.close();
                r.close();
                for (Thread t : clients) {
                    t.join(40_000);
                }
            }
        }
    }

    /**
     * A stop in progress (a handler woken by its client's leaving, as close closes the
     * connections) holds off the second caller (close) until it has finished: otherwise close
     * returned while the tracer was still busy.
     */
    @Test
    void stopOnceWaitsForAStopInProgress() throws Exception {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Runnable> stopper =
                new java.util.concurrent.atomic.AtomicReference<>(() -> {
                    running.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    finished.set(true);
                });
        AtomicBoolean secondRan = new AtomicBoolean(true);
        AtomicBoolean secondSawFinished = new AtomicBoolean();
        Thread first = new Thread(() -> DebugHttpServer.stopOnce(stopper));
        Thread second = new Thread(() -> {
            secondRan.set(DebugHttpServer.stopOnce(stopper));
            secondSawFinished.set(finished.get());
        });
        try {
            first.start();
            assertTrue(running.await(30, TimeUnit.SECONDS), "the first stop never started");
            second.start();
            // Condition, not time: the second caller either waits (BLOCKED) or has returned.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (second.getState() != Thread.State.BLOCKED && second.getState() != Thread.State.TERMINATED) {
                assertTrue(System.nanoTime() < deadline, "the second stop neither waited nor returned");
                Thread.sleep(1);
            }
            assertEquals(
                    Thread.State.BLOCKED, second.getState(), "stopOnce returned while another stop was in progress");
            release.countDown();
            second.join(30_000);
            assertTrue(!second.isAlive(), "the second stop never returned");
            assertTrue(secondSawFinished.get(), "the second stop returned before the first had finished");
            assertTrue(!secondRan.get(), "the stopper runs once");
        } finally {
            release.countDown();
            first.join(30_000);
            second.join(30_000);
        }
    }
}
