package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * newproc's allocation (issue 17, spawn-many): a spawn that reuses a dead G allocates the
 * goroutine's continuation and its handle and nothing else; in particular not a new body lambda
 * for the continuation, which the G keeps across reuse. Measured on the spawning carrier with
 * one P (the spawned goroutines run there too, each after its spawner parks), against the same
 * objects made directly in the same thread, so that no object size is written into the test.
 */
@Timeout(120)
public class SpawnAllocationTest {
    private static final int WARMUP = 50_000;
    private static final int MEASURED = 100_000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final Runnable NOTHING = () -> {};
    /** Where the reference objects escape to (else the JIT may not allocate them at all). */
    static volatile Object sink;

    /**
     * Measures in a JVM of its own, as {@link HandoffAllocationTest} does: in the suite's JVM,
     * classes instrumented by Mockito for other tests allocate on every call.
     */
    @Test
    void aSpawnAllocatesItsContinuationAndHandleOnly() throws Exception {
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-ea",
                "--add-exports",
                "java.base/jdk.internal.vm=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                SpawnAllocationTest.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the measuring JVM did not end");
        } finally {
            p.destroyForcibly();
        }
        String[] f = out.lines()
                .filter(l -> l.startsWith("allocated "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no measurement from the child JVM:\n" + out))
                .split(" ");
        long spawns = Long.parseLong(f[1]);
        long reference = Long.parseLong(f[2]);
        System.getLogger("dev.jgo")
                .log(
                        System.Logger.Level.INFO,
                        "per spawn: {0} bytes; continuation and handle made directly: {1} bytes",
                        spawns / (double) MEASURED,
                        reference / (double) MEASURED);
        // before: 16 bytes a spawn more, the continuation's body lambda
        assertTrue(
                spawns < reference + 4L * MEASURED,
                spawns + " bytes for " + MEASURED + " spawns; continuation and handle: " + reference);
    }

    /** The child JVM: prints {@code allocated SPAWN_BYTES REFERENCE_BYTES}. */
    public static void main(String[] args) {
        long spawns;
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            spawns = rt.run(() -> {
                long least = Long.MAX_VALUE;
                spawnWaves(WARMUP);
                for (int window = 0; window < 3; window++) { // the least of three: a stray JIT allocation
                    long before = THREADS.getCurrentThreadAllocatedBytes();
                    spawnWaves(MEASURED);
                    least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
                }
                return least;
            });
        }
        System.out.println("allocated " + spawns + " " + referenceBytes(MEASURED));
    }

    /**
     * Spawns {@code n} goroutines in waves of 64 and lets each wave run to its end (one yield:
     * with one P the spawned goroutines run before the spawner again), so that every spawn after
     * the first wave reuses a dead G from the P's free list.
     */
    private static void spawnWaves(int n) {
        for (int i = 0; i < n; i += 64) {
            for (int k = 0; k < 64; k++) {
                Go.go(NOTHING);
            }
            Go.yield();
        }
    }

    /** Bytes this thread allocates making {@code n} continuations and handles as newproc1 does. */
    private static long referenceBytes(int n) {
        G g = new G();
        Runnable body = () -> {};
        long least = Long.MAX_VALUE;
        for (int window = 0; window < 4; window++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < n; i++) {
                sink = new G.GCont(body);
                sink = new GoHandle(g);
            }
            least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
        assertEquals(GoHandle.class, sink.getClass());
        return least;
    }
}
