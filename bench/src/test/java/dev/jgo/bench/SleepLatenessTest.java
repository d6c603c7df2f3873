package dev.jgo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SleepLateness at a small size: every sleeper is measured, and none woke before its time. */
@Timeout(120)
class SleepLatenessTest {
    private static final int N = 2_000;
    private static final int SPREAD_MS = 20;

    @Test
    void jgoSleepersAreAllMeasuredAndNoneEarly() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            check(SleepLateness.runJgo(rt, N, SPREAD_MS, 2));
        }
    }

    @Test
    void virtualThreadSleepersAreAllMeasuredAndNoneEarly() throws Exception {
        check(SleepLateness.runVt(N, SPREAD_MS, 2));
    }

    @Test
    void sleepsSpreadOverTheWholeRange() {
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 1000; i++) {
            long ms = SleepLateness.sleepMillis(i, 1000);
            min = Math.min(min, ms);
            max = Math.max(max, ms);
        }
        assertEquals(1, min);
        assertEquals(1000, max);
    }

    private static void check(long[] late) {
        assertEquals(N, late.length);
        for (int i = 0; i < N; i++) {
            // a sleeper that never ran leaves 0; one that woke early a negative value
            assertTrue(late[i] > 0, "sleeper " + i + ": lateness " + late[i] + " ns");
        }
        double[] p = SleepLateness.percentiles(late);
        assertTrue(p[0] <= p[1] && p[1] <= p[2], java.util.Arrays.toString(p));
    }
}
