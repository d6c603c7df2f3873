package dev.jgo.timer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgo.spi.TimerQueue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract on the hierarchical wheel, with a small tick so cascades happen often. */
class WheelTimerQueueTest extends TimerQueueContract {
    @Override
    TimerQueue create(int pid, TimerQueue.Host host) {
        return new WheelTimerQueue(pid, host, 10); // ~1 us ticks: many levels and cascades
    }

    @Override
    long slack() {
        return 1; // timers of one tick fire in bucket order, not deadline order
    }

    @Test
    void farTimersCascadeDownAndFireOnTime() {
        WheelTimerQueue q = new WheelTimerQueue(0, host, 0); // 1 ns ticks: every level in use
        long base = TimerQueue.nanotime();
        long[] offs = {3, 70, 5000, 300_000, 20_000_000, 1_500_000_000L};
        for (long o : offs) {
            q.add(q.newTimer(rec, o), base + o, 0);
        }
        for (long o : offs) {
            long w = q.nobarrierWakeTime();
            assertEquals(true, w <= base + o, "wake bound " + w + " after " + (base + o));
            q.checkTimers(base + o - 1, true);
            q.checkTimers(base + o, true);
        }
        assertEquals(List.of(3L, 70L, 5000L, 300_000L, 20_000_000L, 1_500_000_000L), fired);
    }

    @Test
    void stopUnlinksAtOnce() {
        WheelTimerQueue q = new WheelTimerQueue(0, host, 20);
        TimerQueue.Timer t = q.newTimer(rec, 1);
        q.add(t, T0, 0);
        t.stop();
        assertEquals(0, q.numTimers.get());
    }
}
