package dev.jgo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.spi.Policies;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ping-pong-hog, starve and parked-memory: their results and figures on one and two Ps, and a
 * faulty version of each fails its run.
 */
class FairnessWorkloadTest {

    private static GoRuntime runtime(int procs) {
        return GoRuntime.builder().procs(procs).build();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pingPongHogFinishesOnOneP() throws Exception {
        PingPongHog w = new PingPongHog();
        try (GoRuntime rt = runtime(1)) {
            assertEquals(w.expected(20_000), w.runJgo(rt, 20_000));
        }
        assertEquals(w.expected(5_000), w.runVirtual(5_000));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void starveRunsTheTaskBehindThePairWithinTheTimeSliceOnOneP() throws Exception {
        // a 5 s bound on each round: a scheduler that starved C would reach it (C then runs
        // only because the pair stops); jgo's time slice ends the pair's turn after 10 ms
        Starve w = new Starve(1, 0, 5_000_000_000L);
        try (GoRuntime rt = runtime(1)) {
            assertEquals(w.expected(5), w.runJgo(rt, 5));
        }
        Map<String, Double> f = w.lastFigures(Peer.JGO);
        assertEquals(List.of("wait p50 us", "wait max us"), List.copyOf(f.keySet()));
        assertTrue(f.get("wait p50 us") > 0, f.toString());
        assertTrue(f.get("wait max us") < 4_000_000, f.toString());
        assertEquals(w.expected(5), w.runVirtual(5));
        assertEquals(2, w.lastFigures(Peer.VT).size());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void starveWithoutABudgetStillEndsByTheTimeSlice() {
        Starve w = new Starve(1, 0, 5_000_000_000L);
        try (GoRuntime rt = GoRuntime.builder()
                .procs(1)
                .fairnessPolicy(Policies.fairness("nobudget"))
                .build()) {
            assertEquals(w.expected(5), w.runJgo(rt, 5));
        }
        assertTrue(
                w.lastFigures(Peer.JGO).get("wait max us") < 900_000,
                w.lastFigures(Peer.JGO).toString());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void parkedMemoryReportsBytesPerGoroutineAndDeliversEveryValue() throws Exception {
        ParkedMemory w = new ParkedMemory();
        try (GoRuntime rt = runtime(2)) {
            assertEquals(w.expected(20_000), w.runJgo(rt, 20_000));
        }
        Map<String, Double> f = w.lastFigures(Peer.JGO);
        assertEquals(List.of("heap B/parked", "rss B/parked"), List.copyOf(f.keySet()));
        // a parked goroutine holds at least its G and continuation objects; far below 1 MB
        assertTrue(f.get("heap B/parked") > 50 && f.get("heap B/parked") < 1_000_000, f.toString());
        assertEquals(w.expected(20_000), w.runVirtual(20_000));
        assertTrue(
                w.lastFigures(Peer.VT).get("heap B/parked") > 50,
                w.lastFigures(Peer.VT).toString());
        assertEquals(0, w.runVirtual(0));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void procStatusFieldsAreReadInBytes() {
        long rss = ParkedMemory.rssBytes();
        assertTrue(rss == -1 || rss > 1024 * 1024, "rss " + rss);
        assertEquals(-1, ParkedMemory.procStatusBytes(java.nio.file.Path.of("/nonexistent/status"), "VmRSS:"));
    }

    /** Runs {@code w} through the bench runner on jgo and vt: checksums are verified there. */
    private static void runThroughRunner(Workload w, int n, int procs) {
        BenchOptions o = new BenchOptions(
                List.of(w.name()), OptionalInt.of(n), 1, 0, OptionalInt.of(procs), List.of(Peer.JGO), false);
        BenchRunner.runOne(w, n, o, procs, Progress.none());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFaultyParkedMemoryFailsItsRun() throws Exception {
        ParkedMemory bad = new ParkedMemory(1); // each goroutine receives its neighbour's value
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> runThroughRunner(bad, 1000, 2));
        assertTrue(e.getMessage().contains("parked-memory on jgo with n=1000 returned"), e.getMessage());
        assertNotEquals(bad.expected(1000), bad.runVirtual(1000));
        runThroughRunner(new ParkedMemory(), 1000, 2);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFaultyPingPongHogFailsItsRun() throws Exception {
        PingPongHog bad = new PingPongHog(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> runThroughRunner(bad, 1000, 1));
        assertTrue(e.getMessage().contains("ping-pong-hog on jgo with n=1000 returned 500500"), e.getMessage());
        assertNotEquals(bad.expected(100), bad.runVirtual(100));
        runThroughRunner(new PingPongHog(), 1000, 1);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFaultyStarveFailsItsRun() throws Exception {
        Starve bad = new Starve(1, 1, Starve.CAP_NANOS); // B echoes a wrong value: A throws
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> runThroughRunner(bad, 3, 1));
        assertTrue(e.getMessage().contains("echo returned 0, sent -1"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> bad.runVirtual(1));
        assertTrue(e.getMessage().contains("echo returned 0, sent -1"), e.getMessage());
        runThroughRunner(new Starve(1), 3, 1);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void groupsAndSizes() {
        assertEquals(List.of("parked-memory"), Workloads.group(Workloads.MEM).orElseThrow());
        assertTrue(Workloads.names().containsAll(List.of("ping-pong-hog", "starve")));
        assertEquals(6, new Starve(2).expected(2)); // C ids 0..3
        assertEquals(6, new Starve(3).ops(2));
        assertThrows(IllegalArgumentException.class, () -> new Starve(0));
        assertThrows(UnsupportedOperationException.class, () -> new Starve(1).runForkJoin(new ForkJoinPool(1), 1));
    }
}
