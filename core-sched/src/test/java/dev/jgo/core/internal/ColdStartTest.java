package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The first runtime of a fresh JVM: the compiler directive of InlineGuard is in place when the
 * first goroutine runs, and that goroutine runs soon after {@code build()} ("cold start" in
 * {@code InlineGuard}).
 *
 * <p>The latency bound here is generous, for a loaded build machine; docs/benchmarks.md, "Cold
 * start", gives the figures measured on a quiet one.
 */
@Timeout(120)
class ColdStartTest {
    /** Fresh JVMs started for {@link #firstGoroutineRunsSoonWithTheDirectiveInPlace}. */
    private static final int RUNS = 3;

    /** Generous bound on the best of {@link #RUNS} cold starts (250 ms on a quiet machine). */
    private static final long FIRST_GOROUTINE_BOUND_MS = 1500;

    private static Map<String, String> runProbe() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-exports");
        cmd.add("java.base/jdk.internal.vm=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ColdStartProbe.class.getName());
        Process p = new ProcessBuilder(cmd).start();
        try {
            if (!p.waitFor(45, TimeUnit.SECONDS)) {
                throw new AssertionError("probe did not finish in 45 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), err);
            return out.lines()
                    .map(l -> l.split(" ", 2))
                    .collect(Collectors.toMap(kv -> kv[0], kv -> kv.length > 1 ? kv[1] : ""));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void firstGoroutineRunsSoonWithTheDirectiveInPlace() throws Exception {
        long best = Long.MAX_VALUE;
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            Map<String, String> r = runProbe();
            assertTrue(r.get("status").startsWith("compiler directive added"), r.toString());
            assertEquals("true", r.get("directive-in-stack"), r.toString());
            long ms = Long.parseLong(r.get("first-ms"));
            all.add(ms);
            best = Math.min(best, ms);
        }
        System.out.println("ColdStartTest: build() to the first goroutine's first line, ms: " + all);
        assertTrue(
                best < FIRST_GOROUTINE_BOUND_MS,
                "build() to the first goroutine's first line, ms, over " + RUNS + " fresh JVMs: " + all);
    }
}
