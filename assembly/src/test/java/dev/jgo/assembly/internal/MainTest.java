package dev.jgo.assembly.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CLI's main paths, run in-process. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h", "help"})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void helpListsEveryCommand(String flag) {
        assertEquals(0, run(flag));
        for (String s : new String[] {
            "bench",
            "compare",
            "serve",
            "osgi",
            "version",
            "completion",
            "--help",
            "--verbose",
            "jgo COMMAND --help",
            "Exit codes: 0 success, 1 failure while running, 2 bad command line."
        }) {
            assertTrue(out().contains(s), s);
        }
        assertEquals("", err());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void eachCommandsHelpDescribesItsOptions() {
        assertEquals(0, run("bench", "--help"));
        for (String s : new String[] {
            "--workload", "--peers", "--no-counters", "skynet", "chained-spawn", "--policy", "--schedtrace"
        }) {
            assertTrue(out().contains(s), s);
        }
        assertTrue(!out().contains("--policies"), "bench's help holds bench's options only");
        out.reset();
        assertEquals(0, run("compare", "--help"));
        for (String s : new String[] {
            "--policies", "--out=DIR", "--workloads", "steal:  go, linear, sticky", "spin:   go, go-strict, one, none"
        }) {
            assertTrue(out().contains(s), s);
        }
        out.reset();
        assertEquals(0, run("osgi", "-h"));
        assertTrue(out().contains("--bundles=DIR"), out());
        assertEquals("", err());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void versionPrintsTheProjectVersion() {
        assertEquals(0, run("version"));
        assertTrue(out().startsWith("jgo 0."), out());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "frobnicate",
                "bench --bogus",
                "bench --n",
                "bench --workload nope",
                "version extra",
                "osgi --bogus",
                "osgi --procs 0",
                "osgi --n",
                "bench --policy",
                "bench --policy tokio",
                "bench --procs 0",
                "bench --procs 5000",
                "bench --schedtrace=x",
                "compare --policy spin=lots",
                "compare --procs 0",
                "serve --policy steal=random",
                "serve --procs -3"
            })
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void badCommandLinesExitWithTwoAndOneLinePlusAHint(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        assertEquals(2, run(args));
        assertTrue(err().startsWith("jgo: "), err());
        List<String> lines = err().lines().toList();
        assertEquals(2, lines.size(), err());
        assertTrue(lines.get(1).matches(".*See 'jgo( [a-z]+)? --help'\\."), err());
        assertEquals("", out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bench", "compare", "serve", "osgi"})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void malformedPoliciesListWhatIsValid(String command) {
        assertEquals(2, run(command, "--policy", "linear"));
        assertTrue(
                err().startsWith("jgo: " + command
                        + ": option --policy: expected KIND=NAME, got 'linear' (kinds: steal, spin, fair,"
                        + " timers)"),
                err());
        err.reset();
        assertEquals(2, run(command, "--policy", "order=go"));
        assertTrue(err().contains("unknown kind 'order' in 'order=go' (kinds: steal, spin, fair, timers)"), err());
        err.reset();
        assertEquals(2, run(command, "--policy=steal=random"));
        assertTrue(err().contains("unknown steal policy 'random' (known: go, linear, sticky, tokio, kotlin)"), err());
        err.reset();
        assertEquals(2, run(command, "--policy", "timers=list"));
        assertTrue(err().contains("unknown timers 'list' (known: heap, wheel)"), err());
        err.reset();
        assertEquals(2, run(command, "--procs", "0"));
        assertTrue(err().contains("option --procs must be in [1, 4096], got 0"), err());
        assertEquals("", out());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void helpListsTheRuntimeOptions() {
        assertEquals(0, run("bench", "--help"));
        for (String s : new String[] {
            "Runtime options (bench, compare, serve, osgi):",
            "--policy KIND=NAME",
            "timers: heap, wheel",
            "--schedtrace[=MS]",
            "Exit codes: 0 success, 1 failure while running, 2 bad command line"
        }) {
            assertTrue(out().contains(s), s);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void benchTakesPoliciesAndSchedtraceAndShowsProgressOnStderr() {
        PrintStream systemErr = System.err;
        ByteArrayOutputStream trace = new ByteArrayOutputStream();
        System.setErr(new PrintStream(trace, true, StandardCharsets.UTF_8)); // sysmon prints schedtrace there
        int rc;
        try {
            rc = run(
                    "bench",
                    "--workload",
                    "yield-many,sleepers",
                    "--n",
                    "20000",
                    "--runs",
                    "2",
                    "--warmup",
                    "0",
                    "--peers",
                    "jgo",
                    "--procs",
                    "2",
                    "--policy",
                    "steal=linear",
                    "--policy=spin=one",
                    "--policy",
                    "timers=wheel",
                    "--schedtrace=1");
        } finally {
            System.setErr(systemErr);
        }
        assertEquals(0, rc, err());
        assertTrue(out().contains("jgo policies: steal=linear spin=one timers=wheel, schedtrace every 1 ms"), out());
        assertTrue(out().lines().anyMatch(l -> l.startsWith("sleepers ")), out());
        assertTrue(
                err().matches("(?s)bench: yield-many \\.\\. [0-9.]+ s \\[1/2\\]\\R"
                        + "bench: sleepers \\.\\. [0-9.]+ s \\[2/2\\]\\R"),
                err());
        assertTrue(trace.toString(StandardCharsets.UTF_8).contains("SCHED "), trace.toString(StandardCharsets.UTF_8));
        assertTrue(!out().contains("bench: "), "progress stays off stdout");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void compareTakesAFixedPolicyAndShowsProgress(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        assertEquals(
                0,
                run(
                        "compare",
                        "--workloads",
                        "yield-many",
                        "--policies",
                        "steal=go,linear",
                        "--policy",
                        "spin=none",
                        "--policy",
                        "timers=wheel",
                        "--procs",
                        "1,2",
                        "--n",
                        "1000",
                        "--runs",
                        "1",
                        "--warmup",
                        "0",
                        "--out",
                        dir.toString()),
                err());
        assertTrue(out().contains("--policy: spin=none timers=wheel"), out());
        List<String> csv = java.nio.file.Files.readAllLines(dir.resolve("compare.csv"));
        assertEquals(5, csv.size(), csv.toString());
        assertTrue(csv.stream().skip(1).allMatch(l -> l.contains(",none,go,")), csv.toString());
        assertTrue(err().contains("compare: yield-many on 1 Ps .. ") && err().contains("[2/2]"), err());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void compareRejectsAKindBothVariedAndFixed() {
        assertEquals(2, run("compare", "--policies", "steal=go,linear", "--policy", "steal=tokio"));
        assertTrue(err().contains("kind 'steal' given both in --policies and in --policy steal=tokio"), err());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFailureWhileRunningExitsWithOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("a-file"), "x");
        assertEquals(
                1,
                run(
                        "compare",
                        "--workloads",
                        "yield-many",
                        "--procs",
                        "1",
                        "--n",
                        "100",
                        "--runs",
                        "1",
                        "--warmup",
                        "0",
                        "--out",
                        file.toString()));
        assertTrue(err().contains("jgo: compare failed: ") && err().contains("cannot write to " + file), err());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void benchRunsTheCiCommandLine() {
        assertEquals(0, run("bench", "--workload", "spawn-many", "--n", "10000", "--runs", "1", "--warmup", "0"));
        assertTrue(out().lines().anyMatch(l -> l.startsWith("spawn-many ")), out());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void benchRunsEveryWorkloadOnJgoAlone() {
        assertEquals(0, run("bench", "--n", "2000", "--runs", "1", "--warmup", "0", "--peers", "jgo"));
        for (String w : new String[] {"skynet", "spawn-many", "spawn-many-outside", "yield-many", "chained-spawn"}) {
            assertTrue(out().lines().anyMatch(l -> l.startsWith(w + " ")), w + "\n" + out());
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void benchRunsTheChannelGroupOnEveryPeer() {
        assertEquals(0, run("bench", "--workload", "chan", "--n", "500", "--runs", "1", "--warmup", "0"));
        for (String w : new String[] {"ping-pong", "prod-cons", "select-4", "mutex", "skynet-chan"}) {
            assertTrue(out().lines().anyMatch(l -> l.startsWith(w + " ")), w + "\n" + out());
        }
        assertTrue(out().contains("jox/jgo") && out().contains("jgo ns/op"), out());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void osgiBootsFelixRunsTheWorkloadThroughTheServiceAndStops() {
        assertEquals(0, run("osgi", "--procs", "2", "--n", "500"), err());
        String o = out();
        assertTrue(o.contains("org.apache.felix.scr"), o);
        assertTrue(o.contains("service dev.jgo.GoRuntime: GoRuntime[jgo-osgi, gomaxprocs=2], steal policy go"), o);
        assertTrue(o.contains("500 goroutines over 2 Ps, channel sum 12475000 (correct)"), o);
        assertTrue(o.contains("runtime uses counting-tokio"), o);
        assertTrue(o.contains("unregistered it: runtime uses go"), o);
        assertTrue(o.contains("through jgo-timer's TimerQueueFactory service: slept "), o);
        assertTrue(
                o.contains("stopped jgo-timer: Go.sleep: failed: cannot sleep: jgo-timer bundle is stopped")
                        || o.contains("stopped jgo-timer: Go.sleep: failed: jgo-timer bundle is stopped"),
                o);
        assertTrue(o.contains("started it again: Go.sleep: slept "), o);
        assertTrue(o.strip().endsWith("framework stopped"), o);
        assertTrue(
                o.lines()
                        .filter(l -> l.startsWith("  ") && l.contains("."))
                        .noneMatch(l -> l.endsWith("INSTALLED") || l.endsWith("RESOLVED")),
                o);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void osgiPassesPoliciesToTheRuntimeService() {
        assertEquals(
                0, run("osgi", "--procs", "1", "--n", "100", "--policy", "steal=linear", "--schedtrace=60000"), err());
        assertTrue(out().contains("GoRuntime[jgo-osgi, gomaxprocs=1], steal policy linear"), out());
        assertTrue(out().contains("unregistered it: runtime uses linear"), out());
        assertEquals(null, System.getProperty("jgo.debug"), "restored after the command");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void osgiWithAMissingBundleFolderFailsWithOne() {
        assertEquals(1, run("osgi", "--bundles", "no/such/folder"));
        assertTrue(err().contains("bundle folder no/such/folder does not exist"), err());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void compareRejectsBadOptionsWithExitCode2() {
        assertEquals(2, run("compare", "--policies", "steal=random"));
        assertTrue(err().contains("unknown steal policy 'random' (known: go, linear, sticky, tokio, kotlin)"), err());
        assertEquals(2, run("compare", "--procs", "1,x"));
        assertTrue(err().contains("option --procs needs an integer, got 'x'"), err());
        assertEquals(2, run("compare", "--policies", "spin=go;spin=one"));
        assertTrue(err().contains("given twice"), err());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void compareWritesCsvAndCharts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertEquals(
                0,
                run(
                        "compare",
                        "--workloads",
                        "yield-many",
                        "--policies",
                        "steal=linear;spin=one",
                        "--procs",
                        "2",
                        "--n",
                        "1000",
                        "--runs",
                        "1",
                        "--warmup",
                        "0",
                        "--out",
                        dir.toString()),
                err());
        assertTrue(out().contains("linear  one"), out());
        assertEquals(
                2, java.nio.file.Files.readAllLines(dir.resolve("compare.csv")).size());
        assertTrue(java.nio.file.Files.readString(dir.resolve("compare-yield-many.svg"))
                .startsWith("<svg"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void serveAnswersHttpHelloUntilItsTimeIsUp() throws Exception {
        int[] rc = {-1};
        Thread server = new Thread(() -> rc[0] =
                run("serve", "--http", "--port", "0", "--procs", "2", "--seconds", "3", "--policy", "steal=tokio"));
        server.start();
        int port = awaitPort("serving HTTP hello on 127\\.0\\.0\\.1:(\\d+)");
        assertTrue(out().contains("policies tokio/go/go"), out());
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[256];
            StringBuilder got = new StringBuilder();
            while (!got.toString().endsWith("hello")) {
                int n = s.getInputStream().read(buf);
                if (n < 0) {
                    break;
                }
                got.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            }
            assertTrue(
                    got.toString().startsWith("HTTP/1.1 200 OK")
                            && got.toString().endsWith("hello"),
                    got.toString());
        }
        server.join(30_000);
        assertEquals(0, rc[0], err());
        assertTrue(out().contains("stopped"), out());
    }

    /** {@code --debug-port}: the debug endpoints answer beside the served HTTP hello. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void serveWithDebugPortServesTheDebugEndpoints() throws Exception {
        int[] rc = {-1};
        Thread server = new Thread(
                () -> rc[0] = run("serve", "--port", "0", "--procs", "2", "--seconds", "4", "--debug-port", "0"));
        server.start();
        int port = awaitPort("debug endpoints on http://127\\.0\\.0\\.1:(\\d+)/debug/pprof/");
        String sched = httpGet(port, "/debug/jgo/sched");
        assertTrue(sched.startsWith("HTTP/1.1 200") && sched.contains("SCHED"), sched);
        String goroutines = httpGet(port, "/debug/pprof/goroutine?debug=2");
        assertTrue(goroutines.startsWith("HTTP/1.1 200") && goroutines.contains("goroutine "), goroutines);
        String bad = httpGet(port, "/debug/pprof/goroutine?debug=7");
        assertTrue(bad.startsWith("HTTP/1.1 400"), bad);
        server.join(30_000);
        assertEquals(0, rc[0], err());
        assertTrue(out().contains("stopped"), out());
    }

    /**
     * Waits up to 20 s for the output of a command running on another thread to match {@code
     * regex}; returns its first group, a port.
     */
    private int awaitPort(String regex) throws InterruptedException {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            java.util.regex.Matcher m = p.matcher(out());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no '" + regex + "' in the output: " + out() + err());
    }

    /** One HTTP/1.1 request with {@code Connection: close}; the whole response as text. */
    private static String httpGet(int port, String path) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void serveRejectsBadOptions() {
        assertEquals(2, run("serve", "--port", "70000"));
        assertTrue(err().contains("--port must be in [0, 65535]"), err());
        assertEquals(2, run("serve", "--bogus"));
        assertEquals(2, run("serve", "--procs"));
        assertEquals(2, run("serve", "--policy", "spin=fast"));
        assertTrue(err().contains("unknown spin policy 'fast' (known: go, go-strict, one, none)"), err());
        assertEquals(2, run("serve", "--policy"));
        assertEquals(2, run("serve", "--debug-port", "-1"));
        assertTrue(err().contains("--debug-port must be in [0, 65535]"), err());
    }
}
