package dev.jgo.timer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.spi.TimerQueue;
import org.junit.jupiter.api.Test;

/** The contract on Go's 4-ary heap, plus its lazy-deletion bookkeeping. */
class HeapTimerQueueTest extends TimerQueueContract {
    @Override
    TimerQueue create(int pid, TimerQueue.Host host) {
        return new HeapTimerQueue(pid, host);
    }

    @Test
    void stoppedTimersStayUntilCleanedThenGo() {
        HeapTimerQueue q = new HeapTimerQueue(0, host);
        TimerQueue.Timer[] ts = new TimerQueue.Timer[100];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = q.newTimer(rec, i);
            q.add(ts[i], T0 + 1000 + i, 0);
        }
        for (int i = 0; i < 50; i++) {
            assertTrue(ts[i].stop());
        }
        assertEquals(100, q.len(), "deltimer only marks");
        assertEquals(50, q.liveTimers());
        // not due yet, but the owner clears once a quarter of the heap is deleted
        q.checkTimers(T0, true);
        assertEquals(50, q.len());
        assertEquals(T0 + 1050, q.nobarrierWakeTime());
    }

    @Test
    void modifiedEarlierIsAdjustedWhenDue() {
        HeapTimerQueue q = new HeapTimerQueue(0, host);
        TimerQueue.Timer[] ts = new TimerQueue.Timer[20];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = q.newTimer(rec, i);
            q.add(ts[i], T0 + 1000 + i * 10, 0);
        }
        ts[15].modify(q, T0 + 5, 0);
        assertEquals(T0 + 5, q.nobarrierWakeTime(), "timerModifiedEarliest lowers the wake time");
        q.checkTimers(T0 + 5, true);
        assertEquals(java.util.List.of(15), fired);
    }
}
