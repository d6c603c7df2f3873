package dev.jgo.assembly.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
    void helpDescribesEveryCommand(String flag) {
        assertEquals(0, run(flag));
        for (String s : new String[] {
            "bench",
            "osgi",
            "--bundles",
            "version",
            "--help",
            "--workload",
            "--peers",
            "skynet",
            "chained-spawn",
            "compare",
            "--policies",
            "steal: go, linear, sticky",
            "spin:  go, go-strict, one, none",
            "--out DIR"
        }) {
            assertTrue(out().contains(s), s);
        }
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
                "osgi --n"
            })
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void badCommandLinesExitWithTwoAndUsageOnStderr(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        assertEquals(2, run(args));
        assertTrue(err().startsWith("jgo: "), err());
        assertTrue(err().contains("usage: java -jar jgo.jar"), err());
        assertEquals("", out());
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
        assertTrue(o.strip().endsWith("framework stopped"), o);
        assertTrue(
                o.lines()
                        .filter(l -> l.startsWith("  ") && l.contains("."))
                        .noneMatch(l -> l.endsWith("INSTALLED") || l.endsWith("RESOLVED")),
                o);
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
}
