package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.PolicyControl;
import dev.jgo.spi.SpinPolicy;
import dev.jgo.spi.StealPolicy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The protocol of PolicyGuard's note "Policies that fail". */
@Timeout(30)
class PolicyGuardTest {
    private final List<String> reports = new CopyOnWriteArrayList<>();

    /** Go's steal policy with a counter, optionally throwing from firstVictim or returning garbage. */
    static final class Probe implements StealPolicy {
        final AtomicInteger calls = new AtomicInteger();
        final int mode; // 0 ok, 1 throws, 2 out of range

        Probe(int mode) {
            this.mode = mode;
        }

        @Override
        public String name() {
            return "probe" + mode;
        }

        @Override
        public int rounds() {
            return 4;
        }

        @Override
        public int firstVictim(int thief, int nprocs, int random) {
            calls.incrementAndGet();
            return switch (mode) {
                case 1 -> throw new IllegalStateException("boom");
                case 2 -> nprocs + 7;
                default -> StealPolicy.go().firstVictim(thief, nprocs, random);
            };
        }

        @Override
        public int stride(int nprocs, int random) {
            return StealPolicy.go().stride(nprocs, random);
        }

        @Override
        public boolean mayStealRunnext(int round, int rounds) {
            return round == rounds - 1;
        }

        @Override
        public long runnextBackoffNanos() {
            return 0;
        }

        @Override
        public long runnextMinAgeNanos() {
            return 0;
        }
    }

    @Test
    void builtInPoliciesAreNotWrapped() {
        assertSame(StealPolicy.go(), PolicyGuard.guard(StealPolicy.go(), reports::add));
        assertSame(StealPolicy.kotlin(), PolicyGuard.guard(StealPolicy.kotlin(), reports::add));
        assertSame(SpinPolicy.goStrict(), PolicyGuard.guard(SpinPolicy.goStrict(), reports::add));
        FairnessPolicy f = FairnessPolicy.of("x", 7, false, false, 1_000, 0);
        assertSame(f, PolicyGuard.guard(f, reports::add));
        assertInstanceOf(GuardedStealPolicy.class, PolicyGuard.guard(new Probe(0), reports::add));
    }

    @Test
    void aHealthyPolicyDecides() {
        Probe p = new Probe(0);
        GuardedStealPolicy g = (GuardedStealPolicy) PolicyGuard.guard(p, reports::add);
        for (int i = 0; i < 100; i++) {
            int v = g.firstVictim(0, 4, i);
            assertTrue(v >= 0 && v < 4);
        }
        assertEquals(100, p.calls.get());
        assertFalse(g.quarantined());
        assertSame(p, PolicyGuard.unwrap(g));
        assertEquals(List.of(), reports);
    }

    @Test
    void aThrowingPolicyIsReportedOnceAndTheDefaultDecides() {
        Probe p = new Probe(1);
        GuardedStealPolicy g = (GuardedStealPolicy) PolicyGuard.guard(p, reports::add);
        for (int i = 0; i < 100; i++) {
            assertEquals(StealPolicy.go().firstVictim(0, 4, i), g.firstVictim(0, 4, i));
        }
        assertEquals(1, p.calls.get(), "quarantined after the first failure");
        assertTrue(g.quarantined());
        assertEquals(1, reports.size(), reports.toString());
        assertTrue(reports.get(0).contains("firstVictim threw java.lang.IllegalStateException: boom"), reports.get(0));
        assertTrue(reports.get(0).contains("'go' decides"), reports.get(0));
    }

    @Test
    void anOutOfRangeResultCountsAsAFailure() {
        Probe p = new Probe(2);
        GuardedStealPolicy g = (GuardedStealPolicy) PolicyGuard.guard(p, reports::add);
        int v = g.firstVictim(1, 4, 12345);
        assertTrue(v >= 0 && v < 4, "fallback result " + v);
        assertTrue(g.quarantined());
        assertEquals(1, reports.size());
        assertTrue(reports.get(0).contains("returned 11, outside [0, 4)"), reports.get(0));
    }

    @Test
    void badFairnessAndSpinValuesFallBack() {
        FairnessPolicy bad = new FairnessPolicy() {
            @Override
            public String name() {
                return "bad";
            }

            @Override
            public int globalQueueInterval() {
                return 0;
            }

            @Override
            public boolean useRunnext() {
                return true;
            }

            @Override
            public boolean runnextInheritsTimeSlice() {
                return true;
            }

            @Override
            public long timeSliceNanos() {
                return 1;
            }

            @Override
            public int operationBudget() {
                throw new UnsupportedOperationException();
            }
        };
        FairnessPolicy g = PolicyGuard.guard(bad, reports::add);
        assertEquals(61, g.globalQueueInterval());
        assertEquals(128, g.operationBudget());
        assertEquals(1, reports.size(), "one report per installation: " + reports);

        SpinPolicy spin = new SpinPolicy() {
            @Override
            public String name() {
                return "forever";
            }

            @Override
            public boolean maySpin(int nmspinning, int gomaxprocs, int npidle) {
                return true;
            }

            @Override
            public long idleSpinNanos() {
                return Long.MAX_VALUE;
            }
        };
        SpinPolicy gs = PolicyGuard.guard(spin, reports::add);
        assertTrue(gs.maySpin(0, 4, 0));
        assertEquals(SpinPolicy.go().idleSpinNanos(), gs.idleSpinNanos());
        assertEquals(2, reports.size());
    }

    @Test
    void aRunningRuntimeSurvivesAThrowingStealPolicy() {
        try (GoRuntime rt = GoRuntime.builder().procs(4).build()) {
            PolicyControl pc = (PolicyControl) rt;
            Probe bad = new Probe(1);
            assertSame(StealPolicy.go(), pc.stealPolicy(bad));
            assertSame(bad, pc.stealPolicy(), "the getter returns what was installed");
            for (int round = 0; round < 20; round++) {
                long sum = rt.run(() -> {
                    AtomicLong acc = new AtomicLong();
                    Gate done = new Gate();
                    AtomicInteger left = new AtomicInteger(200);
                    for (int i = 0; i < 200; i++) {
                        int v = i;
                        Go.go(() -> {
                            Go.yield();
                            acc.addAndGet(v);
                            if (left.decrementAndGet() == 0) {
                                done.open();
                            }
                        });
                    }
                    done.await();
                    return acc.get();
                });
                assertEquals(199L * 200 / 2, sum);
            }
            // Quarantined at its first failure: only Ms racing that failure (at most one per P) call it.
            assertTrue(bad.calls.get() <= 4, "calls " + bad.calls.get());
            assertSame(bad, pc.stealPolicy());
            assertSame(bad, pc.stealPolicy(StealPolicy.tokio()));
            assertSame(StealPolicy.tokio(), pc.stealPolicy());
        }
    }
}
