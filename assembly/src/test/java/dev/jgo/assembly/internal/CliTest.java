package dev.jgo.assembly.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line's conventions: help per command, one-line errors, exit codes, completion. */
class CliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
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
    @ValueSource(strings = {"bench", "compare", "serve", "osgi", "version", "completion"})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void everyCommandHasItsOwnHelp(String command) {
        assertEquals(0, run(command, "--help"));
        assertTrue(out().startsWith("Usage: jgo " + command + " "), out());
        assertTrue(out().lines().count() < 80, "the command's help, not everything's: " + out());
        assertEquals("", err());
        String help = out();
        assertEquals(0, run("help", command));
        assertEquals(help, out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bench", "compare", "serve", "osgi"})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void anUnknownOptionIsOneLineAndAHintWithExitCode2(String command) {
        assertEquals(2, run(command, "--bogus"));
        List<String> lines = err().lines().toList();
        assertEquals(
                List.of("jgo: " + command + ": Unknown option: '--bogus'", "See 'jgo " + command + " --help'."), lines);
        assertEquals("", out());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aMisspelledOptionGetsASuggestion() {
        assertEquals(2, run("bench", "--runz", "3"));
        List<String> lines = err().lines().toList();
        assertEquals(2, lines.size(), err());
        assertEquals("Did you mean --runs? See 'jgo bench --help'.", lines.get(1));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aTakenPortIsOneLineWithExitCode1AndTheStackOnlyWhenVerbose() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(taken.getLocalPort());
            assertEquals(1, run("serve", "--port", port, "--procs", "1", "--seconds", "5"));
            List<String> lines = err().lines().toList();
            assertEquals(1, lines.size(), err());
            assertTrue(lines.get(0).startsWith("jgo: serve failed: cannot listen on 127.0.0.1:" + port + ": "), err());
            assertFalse(out().contains("stopped"), out());

            assertEquals(1, run("serve", "--verbose", "--port", port, "--procs", "1", "--seconds", "5"));
            assertTrue(err().startsWith("jgo: serve failed: cannot listen on 127.0.0.1:" + port), err());
            assertTrue(err().contains("\tat "), "--verbose prints the stack: " + err());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aTakenDebugPortIsOneLineWithExitCode1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(taken.getLocalPort());
            assertEquals(1, run("serve", "--port", "0", "--debug-port", port, "--procs", "1", "--seconds", "5"));
            List<String> lines = err().lines().toList();
            assertEquals(1, lines.size(), err());
            assertTrue(lines.get(0).startsWith("jgo: serve failed: cannot listen on 127.0.0.1:" + port), err());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anUnwritableOutputFolderIsOneLineWithExitCode1(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
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
        List<String> lines =
                err().lines().filter(l -> !l.startsWith("compare: ")).toList();
        assertEquals(1, lines.size(), err());
        assertTrue(
                lines.get(0).startsWith("jgo: compare failed: ") && lines.get(0).contains("cannot write to " + file),
                err());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void completionCoversEveryCommandAndOption() {
        assertEquals(0, run("completion"));
        String script = out();
        assertTrue(script.contains("complete -F"), script);
        for (String s : new String[] {
            "bench", "compare", "serve", "osgi", "--debug-port", "--workload", "--policies", "--bundles", "--schedtrace"
        }) {
            assertTrue(script.contains(s), s);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void progressAndSchedtraceSharingStderrKeepTheirLinesWhole() {
        PrintStream systemErr = System.err;
        ByteArrayOutputStream shared = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(shared, true, StandardCharsets.UTF_8);
        System.setErr(both); // sysmon prints schedtrace there
        int rc;
        try {
            rc = Main.run(
                    new String[] {
                        "bench",
                        "--workload",
                        "yield-many,sleepers",
                        "--n",
                        "20000",
                        "--runs",
                        "4",
                        "--warmup",
                        "0",
                        "--peers",
                        "jgo",
                        "--procs",
                        "2",
                        "--schedtrace=1"
                    },
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    both);
        } finally {
            System.setErr(systemErr);
        }
        String text = shared.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        List<String> lines = text.lines().toList();
        assertTrue(lines.stream().filter(l -> l.startsWith("SCHED ")).count() >= 2, text);
        assertEquals(2, lines.stream().filter(l -> l.startsWith("bench: ")).count(), text);
        for (String l : lines) {
            assertTrue(
                    l.startsWith("SCHED ") || l.matches("bench: (yield-many|sleepers) \\.{4} [0-9.]+ s \\[[12]/2\\]"),
                    "a line that mixes progress and schedtrace: " + l);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void serveChecksTheLimitAndTokenOptions() {
        assertEquals(2, run("serve", "--max-conns", "0"));
        assertTrue(err().startsWith("jgo: serve: option --max-conns must be at least 1, got 0"), err());
        assertEquals(2, run("serve", "--write-timeout", "soon"));
        assertTrue(err().startsWith("jgo: serve: option --write-timeout must be a positive duration"), err());
        assertEquals(2, run("serve", "--debug-token", "two words"));
        assertTrue(err().startsWith("jgo: serve: option --debug-token must be"), err());
        assertEquals(2, err().lines().count(), err());
    }
}
