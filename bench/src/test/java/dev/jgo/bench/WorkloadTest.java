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

    /** The sizes up to the workload's default (starve's rounds take milliseconds each). */
    static int[] sizes(Workload w, int... ns) {
        return java.util.Arrays.stream(ns).filter(n -> n <= w.defaultN()).toArray();
    }

    static List<Workload> workloads() {
        return Workloads.every(PROCS);
    }

    @ParameterizedTest
    @MethodSource("workloads")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void jgoComputesTheChecksum(Workload w) {
        for (int n : sizes(w, 1, 7, 10, 1000, 12_345)) {
            assertEquals(w.expected(n), w.runJgo(rt, n), w.name() + " n=" + n);
        }
    }

    @ParameterizedTest
    @MethodSource("workloads")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void virtualThreadsComputeTheChecksum(Workload w) throws Exception {
        if (!w.hasVirtual()) {
            assertFalse(w.supports(Peer.VT));
            assertThrows(UnsupportedOperationException.class, () -> w.runVirtual(10));
            return;
        }
        for (int n : sizes(w, 1, 10, 1000, 12_345)) {
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
        for (int n : sizes(w, 1, 10, 1000, 12_345)) {
            assertEquals(w.expected(n), w.runForkJoin(fj, n), w.name() + " n=" + n);
        }
    }

    @ParameterizedTest
    @MethodSource("workloads")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void joxComputesTheChecksumWhereItHasAVersion(Workload w) throws Exception {
        if (!w.hasJox()) {
            assertFalse(w.supports(Peer.JOX));
            assertThrows(UnsupportedOperationException.class, () -> w.runJox(10));
            return;
        }
        for (int n : sizes(w, 1, 10, 1000, 12_345)) {
            assertEquals(w.expected(n), w.runJox(n), w.name() + " n=" + n);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void channelGroupHasItsPeers() {
        for (Workload w : Workloads.channels()) {
            assertTrue(w.supports(Peer.JGO) && !w.supports(Peer.FJ), w.name());
            assertEquals(
                    w.name(), Workloads.byName(w.name(), PROCS).orElseThrow().name());
        }
        assertTrue(new PingPong().supports(Peer.VT) && new PingPong().supports(Peer.JOX));
        assertTrue(new ProdCons().supports(Peer.VT) && new ProdCons().supports(Peer.JOX));
        assertTrue(!new Select4().supports(Peer.VT) && new Select4().supports(Peer.JOX));
        assertTrue(new MutexContended().supports(Peer.VT) && !new MutexContended().supports(Peer.JOX));
        assertEquals(1000, new PingPong().ops(1000));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void channelWorkloadsStayCorrectAtAHundredThousand() {
        for (Workload w : Workloads.channels()) {
            assertEquals(Workload.triangle(100_000), w.runJgo(rt, 100_000), w.name());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void prodConsSharesAddUpToN() {
        for (int n : new int[] {1, 2, 3, 1001}) {
            assertEquals(n, ProdCons.share(n, 0) + ProdCons.share(n, 1));
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
        List<String> names = Workloads.allNames();
        assertEquals(names.size(), names.stream().distinct().count());
        for (String n : names) {
            assertEquals(n, Workloads.byName(n, PROCS).orElseThrow().name());
        }
        assertTrue(Workloads.byName("nope", PROCS).isEmpty());
    }
}
