package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A missing {@code --add-exports} fails at {@code build()} with one line that names the flag; a
 * missing {@code --add-opens java.base/java.lang} fails at {@code virtualThreadBuilder()} the same
 * way.
 */
@Timeout(60)
class JvmFlagsTest {
    private record Result(int exit, String out, String err) {}

    private static Result runProbe(boolean withFlag) throws IOException, InterruptedException {
        return runProbe(withFlag, null);
    }

    private static Result runProbe(boolean withFlag, String gomaxprocs) throws IOException, InterruptedException {
        return runProbe(withFlag, null, gomaxprocs);
    }

    private static Result runProbe(boolean withFlag, Boolean vtWithOpens, String gomaxprocs)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (withFlag) {
            cmd.add("--add-exports");
            cmd.add("java.base/jdk.internal.vm=ALL-UNNAMED");
        }
        if (Boolean.TRUE.equals(vtWithOpens)) {
            cmd.add("--add-opens");
            cmd.add("java.base/java.lang=ALL-UNNAMED");
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(JvmFlagsProbe.class.getName());
        if (vtWithOpens != null) {
            cmd.add("vt");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("GOMAXPROCS");
        if (gomaxprocs != null) {
            pb.environment().put("GOMAXPROCS", gomaxprocs);
        }
        Process p = pb.start();
        try {
            if (!p.waitFor(45, TimeUnit.SECONDS)) {
                throw new AssertionError("probe did not finish in 45 s");
            }
            return new Result(
                    p.exitValue(),
                    new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void missingExportNamesTheFlagOnTheFirstLine() throws Exception {
        Result r = runProbe(false);
        assertNotEquals(0, r.exit(), r.err());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(
                first.contains(
                        "IllegalStateException: jgo needs the JVM flag --add-exports java.base/jdk.internal.vm=ALL-UNNAMED"),
                "first line: " + first);
        assertTrue(!r.err().contains("IllegalAccessError"), r.err());
    }

    @Test
    void missingOpensNamesTheFlagOnTheFirstLine() throws Exception {
        Result r = runProbe(true, false, null);
        assertNotEquals(0, r.exit(), r.err());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(
                first.contains(
                        "IllegalStateException: jgo needs the JVM flag --add-opens java.base/java.lang=ALL-UNNAMED"
                                + " for virtual threads"),
                "first line: " + first);
        assertTrue(!r.err().contains("InaccessibleObjectException"), r.err());
    }

    @Test
    void withTheOpensTheVirtualThreadProbeRuns() throws Exception {
        Result r = runProbe(true, true, null);
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("vt true"), r.out().lines().toList());
    }

    @Test
    void withTheExportTheProbeRuns() throws Exception {
        Result r = runProbe(true);
        assertEquals(0, r.exit(), r.err());
        assertEquals(
                List.of("procs " + Runtime.getRuntime().availableProcessors(), "result 42"),
                r.out().lines().toList());
    }

    @Test
    void gomaxprocsSetsTheDefaultProcs() throws Exception {
        Result r = runProbe(true, "3");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("procs 3", "result 42"), r.out().lines().toList());
    }

    @Test
    void invalidGomaxprocsIsIgnoredWithOneWarning() throws Exception {
        Result r = runProbe(true, "lots");
        assertEquals(0, r.exit(), r.err());
        assertEquals(
                List.of("procs " + Runtime.getRuntime().availableProcessors(), "result 42"),
                r.out().lines().toList());
        assertEquals(
                1, r.err().lines().filter(l -> l.contains("GOMAXPROCS=lots")).count(), r.err());
    }

    @Test
    void flagNamesTheModule() {
        assertEquals(
                "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED",
                JvmFlags.exportFlag(getClass().getModule()));
        assertEquals(
                "--add-exports java.base/jdk.internal.vm=java.base", JvmFlags.exportFlag(Object.class.getModule()));
    }
}
