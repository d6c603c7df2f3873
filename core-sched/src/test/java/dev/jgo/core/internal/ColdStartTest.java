package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cold start: in a fresh JVM the first goroutine runs without waiting for InlineGuard's compiler
 * directive, which is still added (on its own thread). Adding it costs about 380 ms of building
 * every platform MXBean, against about 60 ms from {@code build()} to the first goroutine on a
 * quiet machine (the goal is 250 ms).
 *
 * <p>Two checks over up to three fresh JVMs. The one that fails when the directive is back on
 * the critical path whatever the machine's load: in some JVM the first goroutine ran before the
 * directive was added (on the critical path it is always added first). And a wall-clock bound,
 * generous for a loaded machine: the best JVM's first goroutine within {@value #BOUND_MS} ms.
 */
class ColdStartTest {
    static final long BOUND_MS = 500;

    private static List<String> probe() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-exports");
        cmd.add("java.base/jdk.internal.vm=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ColdStartProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(45, TimeUnit.SECONDS), "probe did not finish in 45 s");
            assertEquals(0, p.exitValue(), out);
            return out.lines().toList();
        } finally {
            p.destroyForcibly();
        }
    }

    private static String value(List<String> lines, String key) {
        return lines.stream()
                .filter(l -> l.startsWith(key + " "))
                .findFirst()
                .map(l -> l.substring(key.length() + 1))
                .orElseThrow(() -> new AssertionError("no " + key + " in " + lines));
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void theFirstGoroutineDoesNotWaitForTheDirectiveWhichIsStillAdded() throws Exception {
        long best = Long.MAX_VALUE;
        boolean ranBeforeTheDirective = false;
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 3 && (best >= BOUND_MS || !ranBeforeTheDirective); i++) {
            List<String> lines = probe();
            long ms = Long.parseLong(value(lines, "first-goroutine-ms"));
            boolean added = Boolean.parseBoolean(value(lines, "directive-added-before-it"));
            seen.add(ms + " ms" + (added ? " (after the directive)" : ""));
            best = Math.min(best, ms);
            ranBeforeTheDirective |= !added;
            assertTrue(value(lines, "inline-guard").startsWith("compiler directive added"), lines.toString());
        }
        assertTrue(ranBeforeTheDirective, "the first goroutine waited for the directive in every JVM: " + seen);
        assertTrue(best < BOUND_MS, "first goroutine after build(), per fresh JVM: " + seen);
    }
}
