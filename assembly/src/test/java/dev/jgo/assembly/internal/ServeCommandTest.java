package dev.jgo.assembly.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 18, item 1: {@code jgo serve} keeps serving through accept errors and fails loudly when its server ends. */
class ServeCommandTest {

    /** A listener whose accept always throws {@code failure}. */
    private static Listener failing(Listener l, Exception failure) {
        return new Listener() {
            @Override
            public Conn accept() throws IOException {
                if (failure instanceof IOException io) {
                    throw io;
                }
                throw (RuntimeException) failure;
            }

            @Override
            public int port() {
                return l.port();
            }

            @Override
            public void close() {
                l.close();
            }
        };
    }

    private static void assertServeFails(Exception failure) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> ServeCommand.run(
                        List.of("--port", "0", "--procs", "2", "--seconds", "30"),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        l -> failing(l, failure)));
        assertTrue(e.getMessage().contains("server ended on an error"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(25), "it waited out --seconds");
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("stopped"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aServerEndingOnAnErrorFailsTheCommand() {
        assertServeFails(new IllegalStateException("broken runtime"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aListenerClosedUnderneathFailsTheCommand() {
        assertServeFails(new SocketException("accept tcp :1: use of closed network connection"));
    }

    /**
     * The operator's case: {@code jgo serve} in a child JVM under {@code ulimit -n 256}; 400 held
     * connections exhaust its descriptors (accept fails with EMFILE); once they are closed, the
     * server answers again.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void serveOutlivesRunningOutOfFileDescriptors() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = "ulimit -n 256 && exec '" + java + "' -ea --add-exports java.base/jdk.internal.vm=ALL-UNNAMED"
                + " -cp '" + System.getProperty("java.class.path") + "' " + Main.class.getName()
                + " serve --http --port 0 --procs 2 --seconds 90";
        Process pr =
                new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        List<Socket> held = new ArrayList<>();
        StringBuilder log = new StringBuilder();
        try {
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(pr.getInputStream(), StandardCharsets.UTF_8))) {
                    Pattern p = Pattern.compile("serving HTTP hello on 127\\.0\\.0\\.1:(\\d+)");
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (log) {
                            log.append(line).append('\n');
                        }
                        Matcher m = p.matcher(line);
                        if (m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException e) {
                    // the child ended
                }
                port.complete(-1);
            });
            reader.setDaemon(true);
            reader.start();
            int pt = port.get(60, TimeUnit.SECONDS);
            assertTrue(pt > 0, log.toString());
            assertEquals("hello", hello(pt));
            for (int i = 0; i < 400; i++) {
                held.add(new Socket("127.0.0.1", pt)); // the kernel's backlog takes what accept cannot
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!log.toString().contains("accept error")) {
                assertTrue(System.nanoTime() < deadline, "no accept error logged: " + log);
                assertTrue(pr.isAlive(), "the server ended: " + log);
                Thread.sleep(20);
            }
            Thread.sleep(2_000); // several retries at growing delays, all one burst
            for (Socket s : held) {
                s.close();
            }
            held.clear();
            assertEquals("hello", hello(pt), log.toString());
            assertTrue(pr.isAlive(), "the server ended: " + log);
            synchronized (log) {
                assertEquals(1, log.toString().split("accept error", -1).length - 1, "one warning per burst: " + log);
                assertFalse(log.toString().contains("stopped"), log.toString());
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
            pr.destroyForcibly();
            pr.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** One GET on a fresh connection; the body. */
    private static String hello(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream()
                    .write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(r.startsWith("HTTP/1.1 200 OK"), r);
            return r.substring(r.indexOf("\r\n\r\n") + 4);
        }
    }

    /** This machine's first non-loopback IPv4 address that is up, or null. */
    private static InetAddress outwardAddress() throws SocketException {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return a;
                }
            }
        }
        return null;
    }

    /** Whether a connection to {@code a:port} is accepted. */
    private static boolean reachable(InetAddress a, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(a, port), 10_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs {@code jgo serve args} on a thread; returns its output so far, and the thread. */
    private record Serving(Thread thread, ByteArrayOutputStream out, AtomicReference<Throwable> failure) {
        int awaitPort(String regex) throws InterruptedException {
            Pattern p = Pattern.compile(regex);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                Matcher m = p.matcher(out.toString(StandardCharsets.UTF_8));
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
                assertTrue(thread.isAlive(), "serve ended: " + failure.get() + " " + out);
                Thread.sleep(10);
            }
            throw new AssertionError("no '" + regex + "' in " + out);
        }

        void join() throws InterruptedException {
            thread.join(60_000);
            assertFalse(thread.isAlive(), "serve did not stop");
            assertEquals(null, failure.get());
        }
    }

    private static Serving serve(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                ServeCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        return new Serving(t, out, failure);
    }

    /**
     * Item 3: with {@code --host 0.0.0.0} the hello server is reachable on the machine's outward
     * address but the debug endpoints only on 127.0.0.1; {@code --debug-host 0.0.0.0} exposes them,
     * with a warning.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void debugEndpointsBindLoopbackWhateverHostSays() throws Exception {
        InetAddress outward = outwardAddress();
        Assumptions.assumeTrue(outward != null, "skipped: this machine has no non-loopback IPv4 address");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("dev.jgo.prof");
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        jul.addHandler(h);
        try {
            Serving s =
                    serve("--host", "0.0.0.0", "--port", "0", "--procs", "2", "--seconds", "5", "--debug-port", "0");
            int port = s.awaitPort("serving HTTP hello on 0\\.0\\.0\\.0:(\\d+)");
            int debug = s.awaitPort("debug endpoints on http://127\\.0\\.0\\.1:(\\d+)/");
            assertTrue(reachable(outward, port), "--host 0.0.0.0 serves on " + outward);
            assertTrue(reachable(loopback, debug));
            assertFalse(reachable(outward, debug), "debug endpoints exposed on " + outward);
            s.join();
            assertEquals(List.of(), warnings);

            s = serve(
                    "--host",
                    "0.0.0.0",
                    "--port",
                    "0",
                    "--procs",
                    "2",
                    "--seconds",
                    "5",
                    "--debug-port",
                    "0",
                    "--debug-host",
                    "0.0.0.0");
            debug = s.awaitPort("debug endpoints on http://0\\.0\\.0\\.0:(\\d+)/");
            assertTrue(reachable(outward, debug), "--debug-host 0.0.0.0 serves on " + outward);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("debug endpoints exposed on 0.0.0.0"), warnings.toString());
            s.join();
        } finally {
            jul.removeHandler(h);
        }
    }

    /** Item 2: --read-header-timeout and --idle-timeout reach both servers; bad values are usage errors. */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void timeoutOptionsApplyToBothServers() throws Exception {
        Serving s = serve(
                "--port",
                "0",
                "--procs",
                "2",
                "--seconds",
                "8",
                "--debug-port",
                "0",
                "--read-header-timeout",
                "1",
                "--idle-timeout",
                "1500ms");
        int port = s.awaitPort("serving HTTP hello on 127\\.0\\.0\\.1:(\\d+)");
        int debug = s.awaitPort("debug endpoints on http://127\\.0\\.0\\.1:(\\d+)/");
        for (int p : new int[] {port, debug}) {
            try (Socket silent = new Socket("127.0.0.1", p)) {
                long t0 = System.nanoTime();
                silent.setSoTimeout(6_000);
                try {
                    assertEquals(-1, silent.getInputStream().read());
                } catch (SocketException e) {
                    // reset: closed too
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms >= 900 && ms < 6_000, "port " + p + " closed a silent connection after " + ms + " ms");
            }
        }
        s.join();
        assertEquals(Duration.ofMillis(1500), ServeCommand.parseDuration("--idle-timeout", "1500ms"));
        assertEquals(Duration.ofSeconds(90), ServeCommand.parseDuration("--idle-timeout", "1.5m"));
        assertEquals(Duration.ofSeconds(10), ServeCommand.parseDuration("--idle-timeout", "10s"));
        for (String bad : new String[] {"0", "-1", "x", "s", "10h", "NaN", ""}) {
            assertThrows(
                    dev.jgo.bench.UsageException.class,
                    () -> ServeCommand.parseDuration("--read-header-timeout", bad),
                    bad);
        }
    }

    /** One GET with {@code authorization} (null: none) and {@code Connection: close}; the answer's status line. */
    private static String statusLine(int port, String target, String authorization) throws IOException {
        try (Socket c = new Socket("127.0.0.1", port)) {
            c.setSoTimeout(30_000);
            c.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: x\r\n"
                                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                                    + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String r = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return r.lines().findFirst().orElse("");
        }
    }

    /**
     * --debug-token guards the debug endpoints (401 without it, 200 with it), --max-conns 1 keeps
     * a second connection waiting while the first is open, and --write-timeout is taken.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void debugTokenMaxConnsAndWriteTimeoutOptions() throws Exception {
        Serving s = serve(
                "--port",
                "0",
                "--procs",
                "2",
                "--seconds",
                "8",
                "--debug-port",
                "0",
                "--debug-token",
                "t0ken",
                "--max-conns",
                "1",
                "--write-timeout",
                "2s");
        int port = s.awaitPort("serving HTTP hello on 127\\.0\\.0\\.1:(\\d+)");
        int debug = s.awaitPort("debug endpoints on http://127\\.0\\.0\\.1:(\\d+)/");
        assertTrue(s.out().toString(StandardCharsets.UTF_8).contains("(Authorization: Bearer token required)"));
        assertEquals("HTTP/1.1 401 Unauthorized", statusLine(debug, "/debug/jgo/sched", null));
        assertEquals("HTTP/1.1 401 Unauthorized", statusLine(debug, "/debug/jgo/sched", "Bearer nope"));
        assertEquals("HTTP/1.1 200 OK", statusLine(debug, "/debug/jgo/sched", "Bearer t0ken"));
        try (Socket first = new Socket("127.0.0.1", port);
                Socket second = new Socket("127.0.0.1", port)) {
            byte[] get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            first.setSoTimeout(10_000);
            first.getOutputStream().write(get);
            assertTrue(new String(first.getInputStream().readNBytes(10), StandardCharsets.US_ASCII)
                    .startsWith("HTTP/1.1 "));
            second.getOutputStream().write(get);
            second.setSoTimeout(1_000);
            assertThrows(
                    java.net.SocketTimeoutException.class,
                    () -> second.getInputStream().read());
            first.close();
            second.setSoTimeout(10_000);
            assertTrue(new String(second.getInputStream().readNBytes(10), StandardCharsets.US_ASCII)
                    .startsWith("HTTP/1.1 "));
        }
        s.join();
    }
}
