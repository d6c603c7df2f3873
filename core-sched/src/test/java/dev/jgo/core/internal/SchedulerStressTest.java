package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.RuntimeView;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Randomized, time-bounded runs of the whole scheduler. A lost wake-up shows up as a goroutine
 * that never runs: the main goroutine waits forever and the {@code @Timeout} fails the test (or
 * checkdead reports a deadlock that is not one).
 */
@Timeout(120)
class SchedulerStressTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    @ParameterizedTest(name = "procs={0} randomize={1}")
    @CsvSource({"1,false", "2,false", "2,true", "4,true", "8,false"})
    void fanOutFanInNoLostWakeups(int procs, boolean randomize) {
        try (GoRuntime rt =
                GoRuntime.builder().procs(procs).randomizeScheduler(randomize).build()) {
            for (int iter = 0; iter < 30 * STRESS; iter++) {
                int n = ThreadLocalRandom.current().nextInt(1, 3000);
                long got = rt.run(() -> {
                    AtomicLong sum = new AtomicLong();
                    AtomicInteger left = new AtomicInteger(n);
                    Gate done = new Gate();
                    for (int i = 0; i < n; i++) {
                        int v = i;
                        Go.go(() -> {
                            int r = ThreadLocalRandom.current().nextInt(4);
                            if (r == 0) {
                                Go.yield();
                            } else if (r == 1) {
                                Gate inner = new Gate();
                                Go.go(inner::open);
                                inner.await();
                            }
                            sum.addAndGet(v);
                            if (left.decrementAndGet() == 0) {
                                done.open();
                            }
                        });
                    }
                    done.await();
                    return sum.get();
                });
                assertEquals((long) n * (n - 1) / 2, got, "iteration " + iter);
            }
            RuntimeView.Counters c = rt.view().counters();
            assertTrue(c.schedticks() > 0);
        }
    }

    /** Ping-pong chains started from outside threads at random moments: wakes from any thread. */
    @Test
    void externalSubmittersAndSleepingMs() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            for (int iter = 0; iter < 200 * STRESS; iter++) {
                Gate g = new Gate();
                AtomicInteger hops = new AtomicInteger();
                // the runtime is idle between iterations: every M parked, all Ps idle
                rt.run(() -> {
                    Gate first = new Gate();
                    Go.go(() -> chain(10, hops, first));
                    first.await();
                    return null;
                });
                assertEquals(10, hops.get());
                if (iter % 20 == 0) {
                    Thread.sleep(1); // let the Ms park so that the next run wakes them
                }
            }
            // spinning is transient: once the work is gone every spinner must give up
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (rt.view().spinningThreads() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(0, rt.view().spinningThreads(), "no spinning M left behind");
        }
    }

    private static void chain(int left, AtomicInteger hops, Gate last) {
        hops.incrementAndGet();
        if (left == 1) {
            last.open();
            return;
        }
        Go.go(() -> chain(left - 1, hops, last));
    }

    /**
     * Goroutines looping over yields get JIT-compiled with the yield inlined; each must still
     * find the carrier it runs on now, not the one it left (see Carrier.carrierThread).
     */
    @Test
    void hotYieldLoopsFindTheirCurrentCarrier() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            int per = 100_000 * STRESS;
            long total = rt.run(() -> {
                AtomicLong yields = new AtomicLong();
                AtomicInteger left = new AtomicInteger(4);
                Gate done = new Gate();
                for (int g = 0; g < 4; g++) {
                    Go.go(() -> {
                        for (int i = 0; i < per; i++) {
                            Go.yield(); // throws (wrong M's mcallOp) if the lookup went stale
                            yields.incrementAndGet();
                        }
                        if (left.decrementAndGet() == 0) {
                            done.open();
                        }
                    });
                }
                done.await();
                return yields.get();
            });
            assertEquals(4L * per, total);
        }
    }

    /** An idle runtime uses no CPU: its Ms are parked, not spinning or polling. */
    @Test
    void idleRuntimeParksEveryM() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(4).build()) {
            rt.run(() -> {
                for (int i = 0; i < 100; i++) {
                    Go.go(Go::yield);
                }
                return null;
            });
            long deadline = System.nanoTime() + 5_000_000_000L;
            RuntimeView v = rt.view();
            while ((v.idleThreads() != v.threads() || v.idleProcs() != 4) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(v.threads(), v.idleThreads(), v.schedtrace(true));
            assertEquals(4, v.idleProcs());
            assertEquals(0, v.spinningThreads());
            long before = v.counters().mParks();
            Thread.sleep(200);
            assertEquals(before, v.counters().mParks(), "idle Ms do not wake up by themselves");
        }
    }
}
