package dev.jgo.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The policy registry and the behaviour of each shipped policy, without a runtime. */
class PoliciesTest {

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void everyKnownNameResolvesToAPolicyOfThatName() {
        for (String n : Policies.STEAL) {
            assertEquals(n, Policies.steal(n).name());
        }
        for (String n : Policies.FAIR) {
            assertEquals(n, Policies.fairness(n).name());
        }
        assertSame(SpinPolicy.go(), Policies.spin("go"));
        assertSame(SpinPolicy.goStrict(), Policies.spin("go-strict"));
        assertEquals("one", Policies.spin("one").name());
        assertEquals("none", Policies.spin("none").name());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void anUnknownNameIsRejectedWithTheKnownNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Policies.steal("random"));
        assertEquals("unknown steal policy 'random' (known: go, linear, sticky, tokio, kotlin)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Policies.spin("two"));
        assertEquals("unknown spin policy 'two' (known: go, go-strict, one, none)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Policies.fairness("Go"));
        assertEquals("unknown fair policy 'Go' (known: go, nobudget, tuned, local-yield)", e.getMessage());
        assertThrows(NullPointerException.class, () -> Policies.steal(null));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void linearStartsAnywhereAndStepsByOne() {
        StealPolicy p = StealPolicy.linear();
        for (int r = -50; r < 50; r++) {
            assertEquals(1, p.stride(7, r * 7919));
            int v = p.firstVictim(0, 7, r * 7919);
            assertTrue(v >= 0 && v < 7, "victim " + v);
        }
        assertEquals(StealPolicy.go().rounds(), p.rounds());
        assertTrue(p.mayStealRunnext(3, 4) && !p.mayStealRunnext(0, 4));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void stickyStartsAtTheLastSuccessfulVictimOfEachThief() {
        StealPolicy p = StealPolicy.sticky();
        assertNotSame(p, StealPolicy.sticky(), "stateful: one instance per runtime");
        StealPolicy learner = p;
        // before any steal: a random start, as Go's
        boolean sawOther = false;
        for (int r = 0; r < 100; r++) {
            sawOther |= p.firstVictim(0, 4, r) != p.firstVictim(0, 4, 0);
        }
        assertTrue(sawOther);
        learner.stolen(0, 3, 5);
        learner.stolen(2, 1, 1);
        for (int r = -100; r < 100; r++) {
            assertEquals(3, p.firstVictim(0, 4, r));
            assertEquals(1, p.firstVictim(2, 4, r));
            int stride = p.stride(4, r);
            assertTrue(stride == 1 || stride == 3, "coprime stride " + stride);
        }
        assertEquals(3, ((StickyStealPolicy) p).lastVictim(0));
        // a victim beyond a shrunk GOMAXPROCS, or an id without a slot, falls back to random
        int v = p.firstVictim(0, 2, 12345);
        assertTrue(v >= 0 && v < 2);
        learner.stolen(StickyStealPolicy.MAX_THIEVES, 0, 1);
        assertEquals(-1, ((StickyStealPolicy) p).lastVictim(StickyStealPolicy.MAX_THIEVES));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void spinLimits() {
        SpinPolicy one = SpinPolicy.atMostOne();
        SpinPolicy none = SpinPolicy.none();
        // 8 Ps, 2 idle: Go allows up to 2 spinning (2*nm < 6 for nm <= 2)
        assertTrue(SpinPolicy.go().maySpin(2, 8, 2));
        assertTrue(one.maySpin(0, 8, 2));
        assertFalse(one.maySpin(1, 8, 2));
        assertFalse(one.maySpin(0, 8, 8), "Go's rule still applies: no busy P");
        for (int nm = 0; nm < 4; nm++) {
            assertFalse(none.maySpin(nm, 8, 0));
        }
        assertEquals(0, none.idleSpinNanos());
        assertEquals(SpinPolicy.go().idleSpinNanos(), one.idleSpinNanos());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void noBudgetDiffersFromGoOnlyInTheBudget() {
        FairnessPolicy go = Policies.fairness("go");
        FairnessPolicy off = Policies.fairness("nobudget");
        assertEquals(0, off.operationBudget());
        assertEquals(128, go.operationBudget());
        assertEquals(go.globalQueueInterval(), off.globalQueueInterval());
        assertEquals(go.timeSliceNanos(), off.timeSliceNanos());
        assertEquals(go.useRunnext(), off.useRunnext());
    }
}
