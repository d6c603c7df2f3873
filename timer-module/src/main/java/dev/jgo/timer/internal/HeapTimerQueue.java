package dev.jgo.timer.internal;

import dev.jgo.spi.TimerQueue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Go's per-P timer heap ({@code runtime/time.go}, Go 1.14 - 1.22): a 4-ary min-heap ordered by
 * {@code when}, guarded by the P's timers lock, with lazy deletion and modification driven by
 * the timer states.
 *
 * <h2>Design note: Timer states</h2>
 *
 * The problem: stop and reset run on any P, but a timer lives in the heap of the P that added
 * it; taking that P's lock and re-sifting on every stop or reset makes the common pattern (a
 * timeout that is almost always stopped or pushed later) contend with the owner. Rejected: a
 * global heap with one lock (Go before 1.14: contention and a timer goroutine per bucket); removal
 * under the owner's lock on every stop (contention). Go's protocol, ported as is:
 *
 * <ol>
 *   <li>{@code addtimer}: NO_STATUS -> WAITING, pushed under the lock by the P's own M.
 *   <li>{@code deltimer}: WAITING / MODIFIED_* -> MODIFYING -> DELETED by CAS, no lock; the
 *       timer stays in the heap and {@code deletedTimers} counts it.
 *   <li>{@code modtimer}: WAITING / MODIFIED_* / DELETED -> MODIFYING -> MODIFIED_EARLIER or
 *       MODIFIED_LATER, writing {@code nextwhen}, no lock; an earlier time lowers {@code
 *       timerModifiedEarliest} and wakes the poller. A timer in no heap (NO_STATUS, REMOVED) is
 *       added to the caller's P instead.
 *   <li>The owner (or a stealer) fixes the heap under the lock: {@code cleantimers} at the top
 *       before an add, {@code adjusttimers} once a modified-earlier time is due, {@code runtimer}
 *       at the top (DELETED -> REMOVING -> REMOVED; MODIFIED_* -> MOVING -> WAITING at {@code
 *       nextwhen}; WAITING -> RUNNING -> WAITING (periodic) or NO_STATUS, then the function runs
 *       unlocked), and {@code clearDeletedTimers} once a quarter of the heap is deleted.
 *   <li>A thread that finds a transient state (MODIFYING, MOVING, RUNNING, REMOVING) owned by
 *       another waits for it with {@link Thread#onSpinWait()}: each lasts a few instructions.
 * </ol>
 */
final class HeapTimerQueue extends AbstractTimerQueue {
    // ---- lock-free, read by nobarrierWakeTime ----
    /** When the top timer fires, 0 if the heap is empty ({@code pp.timer0When}). */
    final AtomicLong timer0When = new AtomicLong();
    /** Earliest {@code nextwhen} among MODIFIED_EARLIER timers, 0 if none. */
    final AtomicLong timerModifiedEarliest = new AtomicLong();

    // ---- lock ----
    private RTimer[] timers = new RTimer[16];
    private int len;

    HeapTimerQueue(int pid, Host host) {
        super(pid, host);
    }

    @Override
    public String name() {
        return "heap";
    }

    @Override
    public Timer newTimer(Func f, Object arg) {
        return new RTimer(f, arg, true);
    }

    /** Heap size, deleted timers included. Concurrency: any thread (racy). */
    int len() {
        return numTimers.get();
    }

    // ---- heap primitives: requires the lock ----

    /** Port of runtime.siftupTimer; returns the final position. Concurrency: requires the lock. */
    private int siftupTimer(int i) {
        RTimer t = timers[i];
        long when = t.when;
        while (i > 0) {
            int p = (i - 1) / 4; // parent
            if (when >= timers[p].when) {
                break;
            }
            timers[i] = timers[p];
            timers[i].index = i;
            i = p;
        }
        timers[i] = t;
        t.index = i;
        return i;
    }

    /** Port of runtime.siftdownTimer. Concurrency: requires the lock. */
    private void siftdownTimer(int i) {
        int n = len;
        RTimer t = timers[i];
        long when = t.when;
        while (true) {
            int c = i * 4 + 1; // left child
            int c3 = c + 2; // mid child
            if (c >= n) {
                break;
            }
            long w = timers[c].when;
            if (c + 1 < n && timers[c + 1].when < w) {
                w = timers[c + 1].when;
                c++;
            }
            if (c3 < n) {
                long w3 = timers[c3].when;
                if (c3 + 1 < n && timers[c3 + 1].when < w3) {
                    w3 = timers[c3 + 1].when;
                    c3++;
                }
                if (w3 < w) {
                    w = w3;
                    c = c3;
                }
            }
            if (w >= when) {
                break;
            }
            timers[i] = timers[c];
            timers[i].index = i;
            i = c;
        }
        timers[i] = t;
        t.index = i;
    }

    /** Port of runtime.doaddtimer. Concurrency: requires the lock. */
    private void doaddtimer(RTimer t) {
        assert lock.isHeld();
        t.pp = this; // volatile write: read racily by deltimer/modtimer
        if (len == timers.length) {
            timers = Arrays.copyOf(timers, len * 2);
        }
        timers[len] = t;
        int i = len++;
        siftupTimer(i);
        if (t == timers[0]) {
            timer0When.set(t.when);
        }
        numTimers.incrementAndGet();
    }

    /** Port of runtime.dodeltimer: removes timers[i]; returns the smallest changed index. */
    private int dodeltimer(int i) {
        assert lock.isHeld();
        RTimer t = timers[i];
        t.pp = null;
        t.index = -1;
        int last = len - 1;
        if (i != last) {
            timers[i] = timers[last];
            timers[i].index = i;
        }
        timers[last] = null;
        len = last;
        int smallestChanged = i;
        if (i != last) {
            // Moving to i may have moved the last timer to a new parent, so sift up to preserve
            // the heap guarantee.
            smallestChanged = siftupTimer(i);
            siftdownTimer(i);
        }
        if (i == 0) {
            updateTimer0When();
        }
        numTimers.decrementAndGet();
        return smallestChanged;
    }

    /** Port of runtime.dodeltimer0: removes the top timer. */
    private void dodeltimer0() {
        assert lock.isHeld();
        RTimer t = timers[0];
        t.pp = null;
        t.index = -1;
        int last = len - 1;
        if (last > 0) {
            timers[0] = timers[last];
            timers[0].index = 0;
        }
        timers[last] = null;
        len = last;
        if (last > 0) {
            siftdownTimer(0);
        }
        updateTimer0When();
        numTimers.decrementAndGet();
    }

    /** Port of runtime.updateTimer0When. Concurrency: requires the lock. */
    private void updateTimer0When() {
        timer0When.set(len == 0 ? 0 : timers[0].when);
    }

    /** Port of runtime.updateTimerModifiedEarliest: lowers the earliest modified time. */
    private void updateTimerModifiedEarliest(long nextwhen) {
        while (true) {
            long old = timerModifiedEarliest.get();
            if (old != 0 && old < nextwhen) {
                return;
            }
            if (timerModifiedEarliest.compareAndSet(old, nextwhen)) {
                return;
            }
        }
    }

    // ---- Go's operations ----

    @Override
    public void add(Timer timer, long when, long period) {
        RTimer t = (RTimer) timer;
        checkOpen();
        if (when <= 0) {
            when = host.nanotime();
        }
        if (period < 0) {
            throw new IllegalArgumentException("negative period " + period);
        }
        if (!t.heap || !t.casStatus(RTimer.NO_STATUS, RTimer.MODIFYING)) {
            throw new IllegalStateException("addtimer called with an already started timer: " + t);
        }
        t.when = when;
        t.period = period;
        lock.lock();
        try {
            cleantimers();
            doaddtimer(t);
        } finally {
            lock.unlock();
        }
        t.mustCas(RTimer.MODIFYING, RTimer.WAITING);
        host.wakeNetPoller(when);
    }

    /**
     * Port of runtime.deltimer.
     *
     * <p>Concurrency: any thread.
     */
    static boolean deltimer(RTimer t) {
        while (true) {
            int s = t.status();
            switch (s) {
                case RTimer.WAITING, RTimer.MODIFIED_LATER, RTimer.MODIFIED_EARLIER -> {
                    if (t.casStatus(s, RTimer.MODIFYING)) {
                        t.bumpSeq();
                        // Must fetch t.pp before changing status, as cleantimers in another
                        // goroutine can clear t.pp of a DELETED timer.
                        AbstractTimerQueue tpp = t.pp;
                        t.mustCas(RTimer.MODIFYING, RTimer.DELETED);
                        tpp.deletedTimers.incrementAndGet();
                        return true;
                    }
                }
                case RTimer.DELETED, RTimer.REMOVING, RTimer.REMOVED, RTimer.NO_STATUS -> {
                    // Timer was already run, stopped, or never added. A firing decided before
                    // this call (status already left RUNNING) becomes stale.
                    t.bumpSeq();
                    return false;
                }
                case RTimer.RUNNING, RTimer.MOVING, RTimer.MODIFYING -> Thread.onSpinWait();
                default -> throw t.badTimer("deltimer");
            }
        }
    }

    /**
     * Port of runtime.modtimer.
     *
     * <p>Concurrency: any goroutine; {@code current} is the caller's P's queue.
     */
    static boolean modtimer(RTimer t, HeapTimerQueue current, long when, long period) {
        boolean pending;
        boolean wasRemoved = false;
        loop:
        while (true) {
            int s = t.status();
            switch (s) {
                case RTimer.WAITING, RTimer.MODIFIED_EARLIER, RTimer.MODIFIED_LATER -> {
                    if (t.casStatus(s, RTimer.MODIFYING)) {
                        pending = true; // timer not yet run
                        break loop;
                    }
                }
                case RTimer.NO_STATUS, RTimer.REMOVED -> {
                    // Timer was already run and t is no longer in a heap. Act like addtimer.
                    if (t.casStatus(s, RTimer.MODIFYING)) {
                        wasRemoved = true;
                        pending = false; // timer already run or stopped
                        break loop;
                    }
                }
                case RTimer.DELETED -> {
                    // Timer was stopped but is still in the heap: it becomes live again.
                    if (t.casStatus(s, RTimer.MODIFYING)) {
                        t.pp.deletedTimers.decrementAndGet();
                        pending = false;
                        break loop;
                    }
                }
                case RTimer.RUNNING, RTimer.REMOVING, RTimer.MOVING, RTimer.MODIFYING -> Thread.onSpinWait();
                default -> throw t.badTimer("modtimer");
            }
        }
        t.bumpSeq(); // owning MODIFYING: no firing decision can be in progress
        t.period = period;
        if (wasRemoved) {
            if (current.host.closed()) {
                t.mustCas(RTimer.MODIFYING, RTimer.NO_STATUS);
                current.checkOpen();
            }
            t.when = when;
            current.lock.lock();
            try {
                current.doaddtimer(t);
            } finally {
                current.lock.unlock();
            }
            t.mustCas(RTimer.MODIFYING, RTimer.WAITING);
            current.host.wakeNetPoller(when);
        } else {
            // The timer is in some other P's heap, so we can't change the when field. If we did,
            // the other P's heap would be out of order. So we put the new when value in the
            // nextwhen field, and let the other P set the when field when it is prepared to
            // resort the heap.
            t.nextwhen = when;
            int newStatus = RTimer.MODIFIED_LATER;
            if (when < t.when) {
                newStatus = RTimer.MODIFIED_EARLIER;
            }
            HeapTimerQueue tpp = (HeapTimerQueue) t.pp;
            if (newStatus == RTimer.MODIFIED_EARLIER) {
                tpp.updateTimerModifiedEarliest(when);
            }
            // Set the new status of the timer (release: publishes nextwhen and period).
            t.mustCas(RTimer.MODIFYING, newStatus);
            // If the new status is earlier, wake up the poller.
            if (newStatus == RTimer.MODIFIED_EARLIER) {
                tpp.host.wakeNetPoller(when);
            }
        }
        return pending;
    }

    /**
     * Port of runtime.cleantimers: cleans up the head of the heap (deleted and modified timers)
     * so that add does not grow the heap with garbage.
     *
     * <p>Concurrency: requires the lock.
     */
    private void cleantimers() {
        assert lock.isHeld();
        while (len > 0) {
            RTimer t = timers[0];
            int s = t.status();
            switch (s) {
                case RTimer.DELETED -> {
                    if (!t.casStatus(s, RTimer.REMOVING)) {
                        continue;
                    }
                    dodeltimer0();
                    t.mustCas(RTimer.REMOVING, RTimer.REMOVED);
                    deletedTimers.decrementAndGet();
                }
                case RTimer.MODIFIED_EARLIER, RTimer.MODIFIED_LATER -> {
                    if (!t.casStatus(s, RTimer.MOVING)) {
                        continue;
                    }
                    // Now we can change the when field.
                    t.when = t.nextwhen;
                    // Move t to the right position.
                    dodeltimer0();
                    doaddtimer(t);
                    t.mustCas(RTimer.MOVING, RTimer.WAITING);
                }
                default -> {
                    // Head of timers does not need adjustment.
                    return;
                }
            }
        }
    }

    /**
     * Port of runtime.adjusttimers: once a MODIFIED_EARLIER time is due, moves every modified
     * timer to its new place and drops deleted ones.
     *
     * <p>Concurrency: requires the lock.
     */
    private void adjusttimers(long now) {
        assert lock.isHeld();
        long first = timerModifiedEarliest.get();
        if (first == 0 || first > now) {
            return;
        }
        // We are going to clear all timerModifiedEarlier timers.
        timerModifiedEarliest.set(0);
        ArrayList<RTimer> moved = null;
        for (int i = 0; i < len; i++) {
            RTimer t = timers[i];
            int s = t.status();
            switch (s) {
                case RTimer.DELETED -> {
                    if (t.casStatus(s, RTimer.REMOVING)) {
                        int changed = dodeltimer(i);
                        t.mustCas(RTimer.REMOVING, RTimer.REMOVED);
                        deletedTimers.decrementAndGet();
                        // Go back to the earliest changed heap entry ("- 1": the loop adds 1).
                        i = changed - 1;
                    } else {
                        i--; // status changed under us: look again
                    }
                }
                case RTimer.MODIFIED_EARLIER, RTimer.MODIFIED_LATER -> {
                    if (t.casStatus(s, RTimer.MOVING)) {
                        // Now we can change the when field.
                        t.when = t.nextwhen;
                        // Take t off the heap, and hold onto it. We don't add it back yet
                        // because the heap manipulation could cause our loop to skip some other
                        // timer.
                        int changed = dodeltimer(i);
                        if (moved == null) {
                            moved = new ArrayList<>();
                        }
                        moved.add(t);
                        i = changed - 1;
                    } else {
                        i--;
                    }
                }
                case RTimer.MODIFYING -> {
                    // Check again after modification is complete.
                    Thread.onSpinWait();
                    i--;
                }
                case RTimer.WAITING -> {
                    // OK, nothing to do.
                }
                default -> throw t.badTimer("adjusttimers");
            }
        }
        if (moved != null) {
            // addAdjustedTimers
            for (RTimer t : moved) {
                doaddtimer(t);
                t.mustCas(RTimer.MOVING, RTimer.WAITING);
            }
        }
    }

    /**
     * Port of runtime.runtimer: examines the top timer; runs it if due. Returns 0 if it ran a
     * timer, -1 if there are no more timers, or the time the top timer should run.
     *
     * <p>Concurrency: requires the lock; it is released while the timer's function runs.
     */
    private long runtimer(long now) {
        assert lock.isHeld();
        while (true) {
            RTimer t = timers[0];
            int s = t.status();
            switch (s) {
                case RTimer.WAITING -> {
                    if (t.when > now) {
                        // Not ready to run.
                        return t.when;
                    }
                    if (!t.casStatus(s, RTimer.RUNNING)) {
                        continue;
                    }
                    // Note that runOneTimer may temporarily unlock the lock.
                    runOneTimer(t, now);
                    return 0;
                }
                case RTimer.DELETED -> {
                    if (!t.casStatus(s, RTimer.REMOVING)) {
                        continue;
                    }
                    dodeltimer0();
                    t.mustCas(RTimer.REMOVING, RTimer.REMOVED);
                    deletedTimers.decrementAndGet();
                    if (len == 0) {
                        return -1;
                    }
                }
                case RTimer.MODIFIED_EARLIER, RTimer.MODIFIED_LATER -> {
                    if (!t.casStatus(s, RTimer.MOVING)) {
                        continue;
                    }
                    t.when = t.nextwhen;
                    dodeltimer0();
                    doaddtimer(t);
                    t.mustCas(RTimer.MOVING, RTimer.WAITING);
                }
                case RTimer.MODIFYING -> Thread.onSpinWait(); // wait for modification to complete
                default -> throw t.badTimer("runtimer");
            }
        }
    }

    /**
     * Port of runtime.runOneTimer: the top timer is RUNNING. Re-arms a periodic timer (skipping
     * periods already past: a ticker drops ticks) or removes a one-shot, then runs the function
     * with the lock released.
     *
     * <p>Concurrency: requires the lock.
     */
    private void runOneTimer(RTimer t, long now) {
        long seq = t.seq(); // while RUNNING: a stop or modify waits, then bumps it
        if (t.period > 0) {
            // Leave in heap but adjust next time to fire.
            long delta = t.when - now;
            long next = t.when + t.period * (1 + -delta / t.period);
            t.when = next < 0 ? MAX_WHEN : next; // check for overflow
            siftdownTimer(0);
            t.mustCas(RTimer.RUNNING, RTimer.WAITING);
            updateTimer0When();
        } else {
            // Remove from heap.
            dodeltimer0();
            t.mustCas(RTimer.RUNNING, RTimer.NO_STATUS);
        }
        lock.unlock();
        try {
            t.f.fire(t.arg, seq, now);
        } finally {
            lock.lock();
        }
    }

    /**
     * Port of runtime.clearDeletedTimers: removes every deleted timer and moves every modified
     * one, rebuilding the heap in place.
     *
     * <p>Concurrency: requires the lock.
     */
    private void clearDeletedTimers() {
        assert lock.isHeld();
        // We are going to clear all timerModifiedEarlier timers.
        timerModifiedEarliest.set(0);
        int cdel = 0;
        int to = 0;
        boolean changedHeap = false;
        int n = len;
        nextTimer:
        for (int i = 0; i < n; i++) {
            RTimer t = timers[i];
            while (true) {
                int s = t.status();
                switch (s) {
                    case RTimer.WAITING -> {
                        if (changedHeap) {
                            timers[to] = t;
                            siftupTimer(to);
                        }
                        to++;
                        continue nextTimer;
                    }
                    case RTimer.MODIFIED_EARLIER, RTimer.MODIFIED_LATER -> {
                        if (t.casStatus(s, RTimer.MOVING)) {
                            t.when = t.nextwhen;
                            timers[to] = t;
                            siftupTimer(to);
                            to++;
                            changedHeap = true;
                            t.mustCas(RTimer.MOVING, RTimer.WAITING);
                            continue nextTimer;
                        }
                    }
                    case RTimer.DELETED -> {
                        if (t.casStatus(s, RTimer.REMOVING)) {
                            t.pp = null;
                            t.index = -1;
                            cdel++;
                            t.mustCas(RTimer.REMOVING, RTimer.REMOVED);
                            changedHeap = true;
                            continue nextTimer;
                        }
                    }
                    case RTimer.MODIFYING -> Thread.onSpinWait();
                    default -> throw t.badTimer("clearDeletedTimers");
                }
            }
        }
        for (int i = to; i < n; i++) {
            timers[i] = null;
        }
        len = to;
        deletedTimers.addAndGet(-cdel);
        numTimers.addAndGet(-cdel);
        updateTimer0When();
    }

    @Override
    public long nobarrierWakeTime() {
        long next = timer0When.get();
        long nextAdj = timerModifiedEarliest.get();
        if (next == 0 || (nextAdj != 0 && nextAdj < next)) {
            next = nextAdj;
        }
        return next;
    }

    @Override
    public long checkTimers(long now, boolean owner) {
        // If it's not yet time for the first timer, or the first adjusted timer, then there is
        // nothing to do.
        long next = nobarrierWakeTime();
        if (next == 0) {
            // No timers to run or adjust.
            return 0;
        }
        if (now == 0) {
            now = host.nanotime();
        }
        if (now < next) {
            // Next timer is not ready to run, but keep going if we would clear deleted timers.
            // This corresponds to the condition below where we decide whether to call
            // clearDeletedTimers.
            if (!owner || deletedTimers.get() <= numTimers.get() / 4) {
                return next;
            }
        }
        long pollUntil = 0;
        lock.lock();
        try {
            if (len > 0) {
                adjusttimers(now);
                while (len > 0) {
                    // Note that runtimer may temporarily unlock the lock.
                    long tw = runtimer(now);
                    if (tw != 0) {
                        if (tw > 0) {
                            pollUntil = tw;
                        }
                        break;
                    }
                }
            }
            // If this is the local P, and there are a lot of deleted timers, clear them out. We
            // only do this for the local P to reduce lock contention on timersLock.
            if (owner && deletedTimers.get() > len / 4) {
                clearDeletedTimers();
            }
            long adj = timerModifiedEarliest.get();
            if (adj != 0 && (pollUntil == 0 || adj < pollUntil)) {
                pollUntil = adj;
            }
        } finally {
            lock.unlock();
        }
        return pollUntil;
    }

    /**
     * Port of runtime.moveTimers, with the heap taken from this queue first (Go's procresize
     * takes {@code pp.timers} under its lock, then moves them to the current P).
     */
    @Override
    public void moveTimersTo(TimerQueue dst) {
        HeapTimerQueue to = (HeapTimerQueue) dst;
        RTimer[] ts;
        int n;
        lock.lock();
        try {
            ts = timers;
            n = len;
            timers = new RTimer[16];
            len = 0;
            numTimers.addAndGet(-n);
            timer0When.set(0);
            timerModifiedEarliest.set(0);
        } finally {
            lock.unlock();
        }
        int deleted = 0;
        to.lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                RTimer t = ts[i];
                moveOne:
                while (true) {
                    int s = t.status();
                    switch (s) {
                        case RTimer.WAITING -> {
                            if (!t.casStatus(s, RTimer.MOVING)) {
                                continue;
                            }
                            t.pp = null;
                            to.doaddtimer(t);
                            t.mustCas(RTimer.MOVING, RTimer.WAITING);
                            break moveOne;
                        }
                        case RTimer.MODIFIED_EARLIER, RTimer.MODIFIED_LATER -> {
                            if (!t.casStatus(s, RTimer.MOVING)) {
                                continue;
                            }
                            t.when = t.nextwhen;
                            t.pp = null;
                            to.doaddtimer(t);
                            t.mustCas(RTimer.MOVING, RTimer.WAITING);
                            break moveOne;
                        }
                        case RTimer.DELETED -> {
                            if (!t.casStatus(s, RTimer.REMOVED)) {
                                continue;
                            }
                            t.pp = null;
                            deleted++;
                            // We no longer need this timer in the heap.
                            break moveOne;
                        }
                        case RTimer.MODIFYING -> Thread.onSpinWait();
                        default -> throw t.badTimer("moveTimers");
                    }
                }
            }
        } finally {
            to.lock.unlock();
        }
        deletedTimers.addAndGet(-deleted);
        long w = to.nobarrierWakeTime();
        if (w != 0) {
            to.host.wakeNetPoller(w);
        }
    }
}
