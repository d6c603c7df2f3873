package dev.jgo.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The self-tuned global-queue interval, on an injected clock. */
class TunedFairnessPolicyTest {

    /** A clock that advances {@code step} nanoseconds per reading. */
    private static final class StepClock {
        final AtomicLong now = new AtomicLong(1_000_000);
        volatile long step;

        long read() {
            return now.addAndGet(step);
        }
    }

    /** Makes {@code calls} calls on stripe 0 with the clock advancing {@code perCall} per call. */
    private static int drive(TunedFairnessPolicy p, StepClock c, long perCall, int calls, int period) {
        c.step = perCall * period; // the clock is read once per period
        int last = -1;
        for (int i = 0; i < calls; i++) {
            last = p.intervalOn(0);
        }
        return last;
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void startsAtGoIntervalThenAdaptsBothWays() {
        StepClock c = new StepClock();
        TunedFairnessPolicy p = new TunedFairnessPolicy(c::read, 4);
        assertEquals(61, p.intervalOn(0), "before any measurement: Go's 61");

        // short tasks (500 ns): the interval grows to the cap, 200 µs / 500 ns = 400 -> 127
        assertEquals(127, drive(p, c, 500, 4_000, 4));
        assertTrue(Math.abs(p.meanNanos(0) - 500) < 10, "mean " + p.meanNanos(0));

        // 10 µs tasks: 200 / 10 = 20
        assertEquals(20, drive(p, c, 10_000, 4_000, 4));

        // long tasks (1 ms): the minimum, 2
        assertEquals(2, drive(p, c, 1_000_000, 400, 4));

        // and back: 2 µs tasks, 100
        int i = drive(p, c, 2_000, 8_000, 4);
        assertTrue(i >= 99 && i <= 100, "interval " + i);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void anIdleGapRaisesTheMeanOnlyBriefly() {
        StepClock c = new StepClock();
        TunedFairnessPolicy p = new TunedFairnessPolicy(c::read, 16);
        assertEquals(127, drive(p, c, 1_000, 16 * 100, 16));
        // one sample spanning a 5-second park: capped at 200 µs
        c.step = 5_000_000_000L;
        for (int k = 0; k < 16; k++) {
            p.intervalOn(0);
        }
        assertTrue(p.meanNanos(0) <= 1_000 + TunedFairnessPolicy.TARGET_NANOS / 8 + 1, "mean " + p.meanNanos(0));
        // 60 samples of 1 µs later, back at the cap
        assertEquals(127, drive(p, c, 1_000, 16 * 60, 16));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void stripesAreIndependent() {
        StepClock c = new StepClock();
        TunedFairnessPolicy p = new TunedFairnessPolicy(c::read, 1);
        c.step = 1_000_000;
        for (int i = 0; i < 50; i++) {
            p.intervalOn(5);
        }
        assertEquals(2, p.intervalOn(5));
        assertEquals(61, p.intervalOn(6), "an untouched stripe keeps the initial interval");
        assertEquals(0, p.meanNanos(6));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void intervalForClamps() {
        assertEquals(127, TunedFairnessPolicy.intervalFor(0));
        assertEquals(127, TunedFairnessPolicy.intervalFor(1));
        assertEquals(127, TunedFairnessPolicy.intervalFor(1_574));
        assertEquals(126, TunedFairnessPolicy.intervalFor(1_587));
        assertEquals(61, TunedFairnessPolicy.intervalFor(3_250));
        assertEquals(2, TunedFairnessPolicy.intervalFor(99_999));
        assertEquals(2, TunedFairnessPolicy.intervalFor(Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> new TunedFairnessPolicy(System::nanoTime, 3));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void registeredAsTunedWithGoDefaultsOtherwise() {
        FairnessPolicy t = Policies.fairness("tuned");
        FairnessPolicy go = FairnessPolicy.go();
        assertEquals("tuned", t.name());
        assertNotSame(t, Policies.fairness("tuned"), "stateful: one instance per runtime");
        assertEquals(go.operationBudget(), t.operationBudget());
        assertEquals(go.timeSliceNanos(), t.timeSliceNanos());
        assertEquals(go.useRunnext(), t.useRunnext());
        assertEquals(go.runnextInheritsTimeSlice(), t.runnextInheritsTimeSlice());
        int i = t.globalQueueInterval();
        assertTrue(i >= 2 && i <= 127, "interval " + i);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void manyThreadsAlwaysGetAnIntervalInRange() throws Exception {
        TunedFairnessPolicy p = new TunedFairnessPolicy(System::nanoTime, 4);
        int threads = 4;
        CountDownLatch done = new CountDownLatch(threads);
        AtomicLong bad = new AtomicLong();
        for (int t = 0; t < threads; t++) {
            Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 200_000; i++) {
                    int v = p.intervalOn(i & 1); // two stripes shared by all: racy on purpose
                    if (v < 2 || v > 127) {
                        bad.incrementAndGet();
                    }
                }
                done.countDown();
            });
        }
        assertTrue(done.await(20, TimeUnit.SECONDS));
        assertEquals(0, bad.get());
        assertTrue(p.meanNanos(0) > 0 && p.meanNanos(1) > 0);
    }
}
