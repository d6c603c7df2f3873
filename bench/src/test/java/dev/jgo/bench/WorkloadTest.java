package dev.jgo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every workload computes its checksum on every peer it supports, at small sizes. */
class WorkloadTest {
    private static final int PROCS = 2;
    private static GoRuntime rt;
    private static ForkJoinPool fj;

    @BeforeAll
    static void start() {
        rt = GoRuntime.builder().procs(PROCS).build();
        fj = new ForkJoinPool(PROCS);
    }

    @AfterAll
    static void stop() {
        rt.close();
        fj.shutdownNow();
    }

    static List<Workload> workloads() {
        return Workloads.all(PROCS);
    }

    @ParameterizedTest
    @MethodSource("workloads")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void jgoComputesTheChecksum(Workload w) {
        for (int n : new int[] {1, 7, 10, 1000, 12_345}) {
            assertEquals(w.expected(n), w.runJgo(rt, n), w.name() + " n=" + n);
        }
    }

    @ParameterizedTest
    @MethodSource("workloads")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void virtualThreadsComputeTheChecksum(Workload w) throws Exception {
        for (int n : new int[] {1, 10, 1000, 12_345}) {
            assertEquals(w.expected(n), w.runVirtual(n), w.name() + " n=" + n);
        }
    }

    @ParameterizedTest
    @MethodSource("workloads")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void forkJoinComputesTheChecksumWhereTaskShaped(Workload w) {
        if (!w.hasForkJoin()) {
            assertFalse(w.supports(Peer.FJ));
            assertThrows(UnsupportedOperationException.class, () -> w.runForkJoin(fj, 10));
            return;
        }
        for (int n : new int[] {1, 10, 1000, 12_345}) {
            assertEquals(w.expected(n), w.runForkJoin(fj, n), w.name() + " n=" + n);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void skynetOfAThousandLeavesSumsZeroToNineHundredNinetyNine() {
        assertEquals(499_500L, new Skynet().runJgo(rt, 1000));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void skynetStaysCorrectAtAHundredThousandLeaves() {
        assertEquals(Workload.triangle(100_000), new Skynet().runJgo(rt, 100_000));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void yieldManyCountsWholeYieldsPerGoroutine() {
        YieldMany w = new YieldMany(4);
        assertEquals(1000, w.expected(1003));
        assertEquals(1000, w.runJgo(rt, 1003));
        assertTrue(w.description().startsWith("4 goroutines"));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void badSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Skynet().runJgo(rt, 0));
        assertThrows(IllegalArgumentException.class, () -> new ChainedSpawn().runVirtual(0));
        assertThrows(IllegalArgumentException.class, () -> new SpawnMany().runJgo(rt, -1));
        assertThrows(IllegalArgumentException.class, () -> new YieldMany(0));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void namesAreUnique() {
        List<String> names = Workloads.names();
        assertEquals(names.size(), names.stream().distinct().count());
        for (String n : names) {
            assertEquals(n, Workloads.byName(n, PROCS).orElseThrow().name());
        }
        assertTrue(Workloads.byName("nope", PROCS).isEmpty());
    }
}
