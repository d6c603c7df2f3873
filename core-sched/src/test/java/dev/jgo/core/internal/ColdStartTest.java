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
 * Cold start: in a fresh JVM the first goroutine runs within 250 ms of {@code
 * GoRuntime.builder().build()}, and the compiler directive of InlineGuard is still added (on its
 * own thread). Adding the directive on the caller's path costs about 380 ms of building every
 * platform MXBean (more on a loaded machine), so the best of three JVMs stays above the bound
 * when it is back there.
 */
class ColdStartTest {
    static final long BOUND_MS = 250;

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
            assertTrue(p.waitFor(45, TimeUnit.SECONDS), "probe did not finish in 45 s");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            return out.lines().toList();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void theFirstGoroutineRunsWithin250MsAndTheDirectiveIsStillAdded() throws Exception {
        long best = Long.MAX_VALUE;
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < 3 && best >= BOUND_MS; i++) {
            List<String> lines = probe();
            String first = lines.stream()
                    .filter(l -> l.startsWith("first-goroutine-ms "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(lines));
            long ms = Long.parseLong(first.substring("first-goroutine-ms ".length()));
            seen.add(ms);
            best = Math.min(best, ms);
            assertTrue(
                    lines.stream().anyMatch(l -> l.startsWith("inline-guard compiler directive added")),
                    "the directive is still added: " + lines);
        }
        assertTrue(best < BOUND_MS, "first goroutine after build(), ms per fresh JVM: " + seen);
    }
}
