package dev.jgo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BenchOptionsTest {

    @Test
    void noArgumentsMeansTheWholeSuiteWithDefaults() {
        BenchOptions o = BenchOptions.parse(List.of());
        assertEquals(Workloads.names(), o.workloads());
        assertEquals(OptionalInt.empty(), o.n());
        assertEquals(BenchOptions.DEFAULT_RUNS, o.runs());
        assertEquals(BenchOptions.DEFAULT_WARMUP, o.warmup());
        assertEquals(List.of(Peer.JGO, Peer.VT, Peer.FJ, Peer.JOX), o.peers());
        assertTrue(o.counters());
        assertEquals(Runtime.getRuntime().availableProcessors(), o.effectiveProcs());
    }

    @Test
    void theCiCommandLineParses() {
        BenchOptions o = BenchOptions.parse(
                List.of("--workload", "spawn-many", "--n", "100000", "--runs", "1", "--warmup", "0"));
        assertEquals(List.of("spawn-many"), o.workloads());
        assertEquals(OptionalInt.of(100_000), o.n());
        assertEquals(1, o.runs());
        assertEquals(0, o.warmup());
    }

    @Test
    void workloadsRepeatOrComeAsAListAndKeepTheirOrder() {
        BenchOptions o = BenchOptions.parse(
                List.of("--workload", "yield-many,skynet", "--workload=chained-spawn", "--workload", "skynet"));
        assertEquals(List.of("yield-many", "skynet", "chained-spawn"), o.workloads());
    }

    @Test
    void everyOptionTakesEqualsForm() {
        BenchOptions o = BenchOptions.parse(
                List.of("--n=1_000", "--runs=3", "--warmup=1", "--procs=4", "--peers=vt,jgo", "--no-counters"));
        assertEquals(OptionalInt.of(1000), o.n());
        assertEquals(3, o.runs());
        assertEquals(1, o.warmup());
        assertEquals(OptionalInt.of(4), o.procs());
        assertEquals(4, o.effectiveProcs());
        assertEquals(List.of(Peer.VT, Peer.JGO), o.peers());
        assertFalse(o.counters());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "--bogus",
                "--workload nope",
                "--workload skynet,,yield-many",
                "--n",
                "--n zero",
                "--n 0",
                "--runs 0",
                "--warmup -1",
                "--procs 0",
                "--peers jgo,go",
                "--no-counters=yes",
                "stray"
            })
    void badCommandLinesFailWithAUsageError(String line) {
        UsageException e = assertThrows(UsageException.class, () -> BenchOptions.parse(List.of(line.split(" "))));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void messagesNameTheCulprit() {
        assertEquals(
                "unknown option '--bogus'",
                assertThrows(UsageException.class, () -> BenchOptions.parse(List.of("--bogus")))
                        .getMessage());
        assertTrue(assertThrows(UsageException.class, () -> BenchOptions.parse(List.of("--workload", "nope")))
                .getMessage()
                .contains("known: skynet"));
        assertEquals(
                "option --runs needs a value",
                assertThrows(UsageException.class, () -> BenchOptions.parse(List.of("--runs")))
                        .getMessage());
    }

    @Test
    void usageListsEveryOptionAndWorkload() {
        String u = BenchOptions.usage();
        for (String opt : List.of("--workload", "--n", "--runs", "--warmup", "--procs", "--peers", "--no-counters")) {
            assertTrue(u.contains(opt), opt);
        }
        for (String w : Workloads.allNames()) {
            assertTrue(u.contains(w), w);
        }
    }

    @Test
    void groupNamesExpandToTheirWorkloads() {
        BenchOptions o = BenchOptions.parse(List.of("--workload", "chan", "--peers", "jgo,jox"));
        assertEquals(List.of("ping-pong", "prod-cons", "select-4", "mutex", "skynet-chan"), o.workloads());
        assertEquals(List.of(Peer.JGO, Peer.JOX), o.peers());
        o = BenchOptions.parse(List.of("--workload", "mutex,sched,ping-pong"));
        assertEquals("mutex", o.workloads().get(0));
        assertEquals(
                Workloads.names(),
                o.workloads().subList(1, 1 + Workloads.names().size()));
        assertEquals("ping-pong", o.workloads().getLast());
        assertTrue(Workloads.allNames().containsAll(Workloads.names()));
    }
}
