package dev.jgo.timer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.spi.TimerQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link TimerQueue} must have, run against each structure by a subclass
 * (JCTools' sanity-suite pattern). Times are explicit {@code now} values far in the future of the
 * real clock's origin, so the tests are deterministic.
 */
@Timeout(120)
abstract class TimerQueueContract {
    static final int STRESS = Integer.getInteger("jgo.stress", 1);
    /** A base time well above the clock's start, so "now" values are positive and stable. */
    static final long T0 = 1L << 40;

    static final class RecordingHost implements TimerQueue.Host {
        final List<Long> wakes = new ArrayList<>();
        volatile boolean closed;

        @Override
        public synchronized void wakeNetPoller(long when) {
            wakes.add(when);
        }

        @Override
        public boolean closed() {
            return closed;
        }
    }

    final RecordingHost host = new RecordingHost();

    abstract TimerQueue create(int pid, TimerQueue.Host host);

    /** Granularity of the structure's wake-time bound (the wheel rounds to ticks). */
    long slack() {
        return 0;
    }

    /** Records fired arguments in order. */
    final List<Object> fired = new ArrayList<>();

    final TimerQueue.Func rec = (arg, seq, now) -> {
        synchronized (fired) {
            fired.add(arg);
        }
    };

    @Test
    void emptyQueueHasNoWakeTime() {
        TimerQueue q = create(0, host);
        assertEquals(0, q.nobarrierWakeTime());
        assertEquals(0, q.checkTimers(T0, true));
        assertEquals(0, q.liveTimers());
    }

    @Test
    void firesInDeadlineOrderAndNeverEarly() {
        TimerQueue q = create(0, host);
        long[] offs = {500, 100, 300, 200, 400};
        for (long o : offs) {
            q.add(q.newTimer(rec, o), T0 + o * 1_000_000, 0);
        }
        assertEquals(5, q.liveTimers());
        long w = q.nobarrierWakeTime();
        assertTrue(w != 0 && w <= T0 + 100_000_000, "wake time " + w + " must not be after the earliest deadline");
        q.checkTimers(T0 + 99_999_999, true);
        assertEquals(List.of(), fired, "nothing is due yet");
        q.checkTimers(T0 + 300_000_000, true);
        assertEquals(List.of(100L, 200L, 300L), fired);
        q.checkTimers(T0 + 10_000_000_000L, true);
        assertEquals(List.of(100L, 200L, 300L, 400L, 500L), fired);
        assertEquals(0, q.liveTimers());
    }

    @Test
    void addWakesTheHost() {
        TimerQueue q = create(0, host);
        q.add(q.newTimer(rec, 1), T0 + 5, 0);
        assertEquals(List.of(T0 + 5), host.wakes);
    }

    @Test
    void stopBeforeFiringReturnsTrueAfterReturnsFalse() {
        TimerQueue q = create(0, host);
        TimerQueue.Timer a = q.newTimer(rec, "a");
        TimerQueue.Timer b = q.newTimer(rec, "b");
        q.add(a, T0 + 1000, 0);
        q.add(b, T0 + 2000, 0);
        assertTrue(a.stop());
        assertFalse(a.stop(), "second stop");
        assertEquals(1, q.liveTimers());
        q.checkTimers(T0 + 5000, true);
        assertEquals(List.of("b"), fired);
        assertFalse(b.stop(), "stop after firing");
        assertEquals(0, q.liveTimers());
    }

    @Test
    void stopOfANeverStartedTimerIsFalse() {
        TimerQueue q = create(0, host);
        assertFalse(q.newTimer(rec, 1).stop());
    }

    @Test
    void addTwiceIsRefused() {
        TimerQueue q = create(0, host);
        TimerQueue.Timer t = q.newTimer(rec, 1);
        q.add(t, T0, 0);
        assertThrows(IllegalStateException.class, () -> q.add(t, T0, 0));
    }

    @Test
    void addAfterCloseFailsClearly() {
        TimerQueue q = create(0, host);
        host.closed = true;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.add(q.newTimer(rec, 1), T0, 0));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void modifyEarlierAndLater() {
        TimerQueue q = create(0, host);
        TimerQueue.Timer a = q.newTimer(rec, "a");
        TimerQueue.Timer b = q.newTimer(rec, "b");
        q.add(a, T0 + 1000, 0);
        q.add(b, T0 + 2000, 0);
        assertTrue(b.modify(q, T0 + 500, 0), "b was pending");
        assertTrue(q.nobarrierWakeTime() <= T0 + 500);
        assertTrue(a.modify(q, T0 + 3000, 0), "a was pending");
        q.checkTimers(T0 + 999, true);
        assertEquals(List.of("b"), fired);
        q.checkTimers(T0 + 2999, true);
        assertEquals(List.of("b"), fired, "a moved later must not fire at its old time");
        q.checkTimers(T0 + 3000, true);
        assertEquals(List.of("b", "a"), fired);
    }

    @Test
    void modifyAfterFiringReArms() {
        TimerQueue q = create(0, host);
        TimerQueue.Timer a = q.newTimer(rec, "a");
        q.add(a, T0 + 10, 0);
        q.checkTimers(T0 + 10, true);
        assertFalse(a.modify(q, T0 + 20, 0), "not pending after firing");
        assertEquals(1, q.liveTimers());
        q.checkTimers(T0 + 20, true);
        assertEquals(List.of("a", "a"), fired);
    }

    @Test
    void modifyAfterStopReArms() {
        TimerQueue q = create(0, host);
        TimerQueue.Timer a = q.newTimer(rec, "a");
        q.add(a, T0 + 10, 0);
        assertTrue(a.stop());
        assertFalse(a.modify(q, T0 + 30, 0), "not pending after stop");
        assertEquals(1, q.liveTimers());
        q.checkTimers(T0 + 29, true);
        assertEquals(List.of(), fired);
        q.checkTimers(T0 + 30, true);
        assertEquals(List.of("a"), fired);
    }

    @Test
    void timerAddedToAnotherQueueCanBeModifiedFromHere() {
        TimerQueue q0 = create(0, host);
        TimerQueue q1 = create(1, host);
        TimerQueue.Timer a = q0.newTimer(rec, "a");
        q0.add(a, T0 + 100, 0);
        assertTrue(a.modify(q1, T0 + 50, 0));
        q1.checkTimers(T0 + 1000, true);
        assertEquals(List.of(), fired, "the timer stays in the queue that holds it");
        q0.checkTimers(T0 + 50, false);
        assertEquals(List.of("a"), fired);
    }

    @Test
    void seqCountsStopsAndModifiesAndTheFiringCarriesIt() {
        TimerQueue q = create(0, host);
        long[] got = {-1};
        TimerQueue.Timer t = q.newTimer((arg, seq, now) -> got[0] = seq, null);
        assertEquals(0, t.seq());
        q.add(t, T0 + 10, 0);
        assertEquals(0, t.seq());
        assertTrue(t.modify(q, T0 + 2_000_000, 0));
        assertEquals(1, t.seq());
        q.checkTimers(T0 + 2_000_000, true);
        assertEquals(1, got[0], "the firing carries the seq it was decided under");
        assertFalse(t.stop());
        assertEquals(2, t.seq(), "a stop that finds the timer fired still makes that firing stale");
    }

    @Test
    void periodicTimerSkipsMissedPeriods() {
        TimerQueue q = create(0, host);
        AtomicInteger n = new AtomicInteger();
        TimerQueue.Timer t = q.newTimer((arg, seq, now) -> n.incrementAndGet(), null);
        q.add(t, T0 + 100, 100);
        q.checkTimers(T0 + 100, true);
        assertEquals(1, n.get());
        // a carrier 5.5 periods late: one firing, not five (a ticker drops ticks)
        q.checkTimers(T0 + 650, true);
        assertEquals(2, n.get());
        q.checkTimers(T0 + 699, true);
        assertEquals(2, n.get(), "next tick is at T0+700");
        q.checkTimers(T0 + 700, true);
        assertEquals(3, n.get());
        assertTrue(t.stop());
        q.checkTimers(T0 + 10_000, true);
        assertEquals(3, n.get());
    }

    @Test
    void moveTimersKeepsLiveAndDropsStopped() {
        TimerQueue q0 = create(0, host);
        TimerQueue q1 = create(1, host);
        TimerQueue.Timer a = q0.newTimer(rec, "a");
        TimerQueue.Timer b = q0.newTimer(rec, "b");
        TimerQueue.Timer c = q0.newTimer(rec, "c");
        q0.add(a, T0 + 3_000_000, 0);
        q0.add(b, T0 + 1_000_000, 0);
        q0.add(c, T0 + 2_000_000, 0);
        assertTrue(c.stop());
        assertTrue(a.modify(q0, T0 + 500_000, 0));
        q0.moveTimersTo(q1);
        assertEquals(0, q0.liveTimers());
        assertEquals(0, q0.nobarrierWakeTime());
        assertEquals(2, q1.liveTimers());
        q1.checkTimers(T0 + 10_000_000, true);
        assertEquals(List.of("a", "b"), fired);
        assertFalse(c.stop());
    }

    @Test
    void functionMayStopAndResetItsOwnTimer() {
        TimerQueue q = create(0, host);
        AtomicInteger n = new AtomicInteger();
        TimerQueue.Timer[] self = new TimerQueue.Timer[1];
        self[0] = q.newTimer(
                (arg, seq, now) -> {
                    if (n.incrementAndGet() < 3) {
                        assertFalse(self[0].stop());
                        self[0].modify(q, now + 10, 0);
                    }
                },
                null);
        q.add(self[0], T0 + 10, 0);
        for (long t = T0 + 10; t <= T0 + 100; t += 10) {
            q.checkTimers(t, true);
        }
        assertEquals(3, n.get());
    }

    @Test
    void randomOperationsMatchAModel() {
        Random r = new Random(42);
        for (int round = 0; round < 20 * STRESS; round++) {
            TimerQueue q = create(0, host);
            fired.clear();
            int n = 300;
            TimerQueue.Timer[] ts = new TimerQueue.Timer[n];
            long[] when = new long[n]; // 0: not pending
            long now = T0;
            for (int i = 0; i < n; i++) {
                ts[i] = q.newTimer(rec, i);
            }
            for (int step = 0; step < 3000; step++) {
                int i = r.nextInt(n);
                switch (r.nextInt(5)) {
                    case 0 -> {
                        long w = now + 1 + r.nextInt(50_000_000);
                        boolean pending = ts[i].modify(q, w, 0);
                        assertEquals(when[i] != 0, pending, "modify of " + i);
                        when[i] = w;
                    }
                    case 1 -> {
                        assertEquals(when[i] != 0, ts[i].stop(), "stop of " + i);
                        when[i] = 0;
                    }
                    default -> {
                        now += r.nextInt(2_000_000);
                        fired.clear();
                        q.checkTimers(now, true);
                        long last = Long.MIN_VALUE;
                        for (Object o : fired) {
                            int k = (Integer) o;
                            assertNotEquals(0, when[k], "timer " + k + " fired while not pending");
                            assertTrue(when[k] <= now, "timer " + k + " fired early");
                            assertTrue(when[k] >= last || slack() > 0, "out of order");
                            last = when[k];
                            when[k] = 0;
                        }
                        long live = 0;
                        long min = 0;
                        for (int k = 0; k < n; k++) {
                            if (when[k] != 0) {
                                live++;
                                assertTrue(when[k] > now, "timer " + k + " due but not fired");
                                min = min == 0 ? when[k] : Math.min(min, when[k]);
                            }
                        }
                        assertEquals(live, q.liveTimers());
                        long wake = q.nobarrierWakeTime();
                        if (live > 0) {
                            assertTrue(wake != 0 && wake <= min, "wake time " + wake + " after earliest " + min);
                        }
                    }
                }
            }
        }
    }

    /**
     * Many threads add, stop and modify timers while others run the queues (as owners and as
     * stealers). Every firing is one a pending timer owed; none fires twice for one arming; none is
     * lost.
     */
    @Test
    void concurrentStopResetAndRunLoseNothing() throws Exception {
        int threads = 4;
        int perThread = 50_000 * STRESS;
        TimerQueue[] qs = {create(0, host), create(1, host)};
        int n = threads * perThread;
        AtomicIntegerArray fires = new AtomicIntegerArray(n);
        AtomicIntegerArray armed = new AtomicIntegerArray(n); // arming generation counts
        TimerQueue.Func f = (arg, seq, now) -> fires.incrementAndGet((Integer) arg);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong clock = new AtomicLong(T0);
        ConcurrentHashMap<Integer, Boolean> expected = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> runners = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            int me = k;
            Thread t = new Thread(() -> {
                while (!done.get()) {
                    long now = clock.addAndGet(1000);
                    qs[me].checkTimers(now, true);
                    qs[1 - me].checkTimers(now, false);
                }
            });
            runners.add(t);
            t.start();
        }
        List<Thread> workers = new ArrayList<>();
        AtomicInteger extraFires = new AtomicInteger();
        for (int w = 0; w < threads; w++) {
            int base = w * perThread;
            Thread t = new Thread(() -> {
                Random r = new Random(base);
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = base; i < base + perThread; i++) {
                    TimerQueue q = qs[r.nextInt(2)];
                    TimerQueue.Timer tm = q.newTimer(f, i);
                    q.add(tm, clock.get() + r.nextInt(200_000), 0);
                    switch (r.nextInt(3)) {
                        case 0 -> {
                            if (tm.stop()) {
                                expected.put(i, false); // stopped before firing: never fires
                            } else {
                                expected.put(i, true); // already fired once
                            }
                        }
                        case 1 -> {
                            boolean pending = tm.modify(qs[r.nextInt(2)], clock.get() + r.nextInt(200_000), 0);
                            if (!pending) {
                                extraFires.incrementAndGet(); // fired, then re-armed: fires twice
                                expected.put(i, true);
                                armed.incrementAndGet(i);
                            } else {
                                expected.put(i, true);
                            }
                        }
                        default -> expected.put(i, true);
                    }
                }
            });
            workers.add(t);
            t.start();
        }
        start.countDown();
        for (Thread t : workers) {
            t.join();
        }
        // let the runners drain everything
        long deadline = System.nanoTime() + 60_000_000_000L;
        while ((qs[0].liveTimers() > 0 || qs[1].liveTimers() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        done.set(true);
        for (Thread t : runners) {
            t.join();
        }
        assertEquals(0, qs[0].liveTimers() + qs[1].liveTimers(), "timers left behind");
        for (int i = 0; i < n; i++) {
            int want = expected.get(i) ? 1 + armed.get(i) : 0;
            assertEquals(want, fires.get(i), "timer " + i);
        }
    }
}
