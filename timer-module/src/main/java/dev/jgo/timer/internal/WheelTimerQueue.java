package dev.jgo.timer.internal;

import dev.jgo.spi.TimerQueue;
import java.util.Arrays;

/**
 * A hierarchical timing wheel (Varghese and Lauck; the Linux kernel's cascading wheel) behind the
 * same SPI as Go's heap, so the two can be compared on the same workloads.
 *
 * <h2>Design note: the wheel</h2>
 *
 * The problem: the heap costs O(log n) per add and per expiry, and its lazy deletion keeps
 * stopped timers in memory until cleaned. A wheel adds and removes in O(1). Rejected: a single
 * hashed wheel (every tick scans timers of later rounds) and Kafka's delay-queue of buckets (a
 * heap again). Chosen:
 *
 * <ol>
 *   <li>Time is cut into ticks of {@code 2^tickShift} ns (default 2^20, about 1 ms). Level
 *       {@code l} has 64 buckets of {@code 64^l} ticks; a timer due {@code delta} ticks from now
 *       goes to the lowest level with {@code delta < 64^(l+1)}, bucket {@code (tick >> 6l) & 63}.
 *       Six levels reach 2^36 ticks (about two years); later timers wait in the top level and
 *       are re-placed each time it cascades.
 *   <li>{@code curTick} is the first tick not yet fully processed. Advancing to {@code now}: at
 *       each tick whose low {@code 6l} bits are zero, bucket {@code (tick >> 6l) & 63} of level
 *       {@code l} is cascaded (its timers re-placed, now in lower levels); then level 0's bucket
 *       fires the timers with {@code when <= now}. Only those: a timer never fires early, even
 *       within its tick.
 *   <li>Stop unlinks at once under the queue lock, so no stopped timer stays behind (no deleted
 *       state); modify unlinks and re-links, keeping the timer in its queue as Go keeps it in its
 *       P's heap.
 *   <li>{@link #nobarrierWakeTime} is a lower bound: the earliest {@code when} in the first
 *       non-empty level-0 bucket, or the cascade time of the first non-empty bucket of a higher
 *       level. A wake-up at a cascade that moves timers but fires none is the price of O(1).
 * </ol>
 *
 * Timer states used: NO_STATUS (in no queue), MODIFYING (claimed by an add, not linked yet),
 * WAITING (linked; set under the queue lock together with the link).
 */
final class WheelTimerQueue extends AbstractTimerQueue {
    static final int LEVELS = 6;
    static final int BITS = 6;
    static final int SLOTS = 1 << BITS;
    static final int SLOT_MASK = SLOTS - 1;
    static final long MAX_DELTA = (1L << (BITS * LEVELS)) - 1;
    /** Default tick: 2^20 ns, about 1 ms. */
    static final int DEFAULT_TICK_SHIFT = 20;

    final int tickShift;

    // ---- lock ----
    private final RTimer[] heads = new RTimer[LEVELS * SLOTS];
    private long curTick;

    // ---- lock-free ----
    /** Lower bound of the next deadline, 0 if empty. Written under the lock, read racily. */
    private volatile long nextWake;

    WheelTimerQueue(int pid, Host host, int tickShift) {
        super(pid, host);
        if (tickShift < 0 || tickShift > 30) {
            throw new IllegalArgumentException("tickShift must be in [0, 30], got " + tickShift);
        }
        this.tickShift = tickShift;
        this.curTick = host.nanotime() >>> tickShift;
    }

    @Override
    public String name() {
        return "wheel";
    }

    @Override
    public Timer newTimer(Func f, Object arg) {
        return new RTimer(f, arg, false);
    }

    // ---- buckets: requires the lock ----

    /** Links {@code t} into its bucket. Concurrency: requires the lock. */
    private void place(RTimer t) {
        long tt = t.when >>> tickShift;
        if (tt < curTick) {
            tt = curTick;
        }
        long delta = tt - curTick;
        if (delta > MAX_DELTA) {
            delta = MAX_DELTA;
            tt = curTick + MAX_DELTA;
        }
        int level = 0;
        while (level < LEVELS - 1 && delta >= (1L << (BITS * (level + 1)))) {
            level++;
        }
        int b = level * SLOTS + (int) ((tt >>> (BITS * level)) & SLOT_MASK);
        RTimer h = heads[b];
        t.prev = null;
        t.next = h;
        if (h != null) {
            h.prev = t;
        }
        heads[b] = t;
        t.bucket = b;
    }

    /** Unlinks {@code t} from its bucket. Concurrency: requires the lock. */
    private void unlink(RTimer t) {
        if (t.prev != null) {
            t.prev.next = t.next;
        } else {
            heads[t.bucket] = t.next;
        }
        if (t.next != null) {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
        t.bucket = -1;
    }

    /** Adds a linked timer. Concurrency: requires the lock. */
    private void link(RTimer t) {
        t.pp = this; // volatile write, read racily by stop/modify
        place(t);
        numTimers.incrementAndGet();
        long nw = nextWake;
        if (nw == 0 || t.when < nw) {
            nextWake = t.when; // volatile write: read by nobarrierWakeTime
        }
    }

    // ---- operations ----

    @Override
    public void add(Timer timer, long when, long period) {
        RTimer t = (RTimer) timer;
        checkOpen();
        if (period < 0) {
            throw new IllegalArgumentException("negative period " + period);
        }
        if (when <= 0) {
            when = host.nanotime();
        }
        if (t.heap || !t.casStatus(RTimer.NO_STATUS, RTimer.MODIFYING)) {
            throw new IllegalStateException("add called with an already started timer: " + t);
        }
        t.when = when;
        t.period = period;
        lock.lock();
        try {
            link(t);
            // under the lock: a stop or a firing that finds the timer linked finds it WAITING
            t.mustCas(RTimer.MODIFYING, RTimer.WAITING);
        } finally {
            lock.unlock();
        }
        host.wakeNetPoller(when);
    }

    /** Stop: unlinks the timer from whichever queue holds it. Concurrency: any thread. */
    static boolean stop(RTimer t) {
        while (true) {
            AbstractTimerQueue q = t.pp; // volatile read; re-checked under q's lock
            if (q == null) {
                if (t.status() == RTimer.NO_STATUS) {
                    t.bumpSeq(); // a firing collected before this call becomes stale
                    return false; // never started, fired, or stopped
                }
                Thread.onSpinWait(); // being added or just taken out by a firing
                continue;
            }
            WheelTimerQueue w = (WheelTimerQueue) q;
            w.lock.lock();
            try {
                if (t.pp != w) {
                    continue;
                }
                w.unlink(t);
                w.numTimers.decrementAndGet();
                t.bumpSeq();
                t.pp = null;
                t.mustCas(RTimer.WAITING, RTimer.NO_STATUS);
                return true;
            } finally {
                w.lock.unlock();
            }
        }
    }

    /** Modify: re-links the timer in its queue, or adds it to {@code current}. Concurrency: any goroutine. */
    static boolean modify(RTimer t, WheelTimerQueue current, long when, long period) {
        while (true) {
            AbstractTimerQueue q = t.pp;
            if (q == null) {
                if (!t.casStatus(RTimer.NO_STATUS, RTimer.MODIFYING)) {
                    Thread.onSpinWait();
                    continue;
                }
                t.bumpSeq();
                if (current.host.closed()) {
                    t.mustCas(RTimer.MODIFYING, RTimer.NO_STATUS);
                    current.checkOpen();
                }
                current.lock.lock();
                try {
                    t.when = when;
                    t.period = period;
                    current.link(t);
                    t.mustCas(RTimer.MODIFYING, RTimer.WAITING);
                } finally {
                    current.lock.unlock();
                }
                current.host.wakeNetPoller(when);
                return false;
            }
            WheelTimerQueue w = (WheelTimerQueue) q;
            w.lock.lock();
            try {
                if (t.pp != w) {
                    continue;
                }
                w.unlink(t);
                w.numTimers.decrementAndGet();
                t.bumpSeq();
                t.when = when;
                t.period = period;
                w.link(t);
            } finally {
                w.lock.unlock();
            }
            w.host.wakeNetPoller(when);
            return true;
        }
    }

    @Override
    public long nobarrierWakeTime() {
        return nextWake;
    }

    @Override
    public long checkTimers(long now, boolean owner) {
        long next = nextWake;
        if (next == 0) {
            return 0;
        }
        if (now == 0) {
            now = host.nanotime();
        }
        if (now < next) {
            return next;
        }
        RTimer[] fired = null;
        long[] seqs = null;
        int nfired = 0;
        lock.lock();
        try {
            long target = now >>> tickShift;
            if (numTimers.get() == 0) {
                curTick = Math.max(curTick, target);
            }
            while (true) {
                // Jump over empty stretches: the next tick with a level-0 bucket to fire or a
                // non-empty bucket to cascade (nothing in between needs a visit).
                long ev = nextEventTick();
                if (ev > target) {
                    curTick = Math.max(curTick, target);
                    break;
                }
                curTick = ev;
                for (int l = LEVELS - 1; l >= 1; l--) {
                    if ((curTick & ((1L << (BITS * l)) - 1)) == 0) {
                        cascade(l * SLOTS + (int) ((curTick >>> (BITS * l)) & SLOT_MASK));
                    }
                }
                int b = (int) (curTick & SLOT_MASK);
                RTimer t = heads[b];
                while (t != null) {
                    RTimer nx = t.next;
                    if (t.when <= now) {
                        unlink(t);
                        if (t.period > 0) {
                            // Re-arm, skipping periods already past (a ticker drops ticks).
                            long delta = t.when - now;
                            long w = t.when + t.period * (1 + -delta / t.period);
                            t.when = w < 0 ? MAX_WHEN : w;
                            place(t);
                        } else {
                            numTimers.decrementAndGet();
                            t.pp = null; // before the status: see stop()
                            t.mustCas(RTimer.WAITING, RTimer.NO_STATUS);
                        }
                        if (fired == null) {
                            fired = new RTimer[8];
                            seqs = new long[8];
                        } else if (nfired == fired.length) {
                            fired = Arrays.copyOf(fired, nfired * 2);
                            seqs = Arrays.copyOf(seqs, nfired * 2);
                        }
                        seqs[nfired] = t.seq(); // under the lock: stop/modify bump under it too
                        fired[nfired++] = t;
                    }
                    t = nx;
                }
                if (curTick == target) {
                    break; // timers later in this tick stay
                }
                curTick++;
            }
            nextWake = computeNextWake();
            next = nextWake;
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < nfired; i++) {
            RTimer t = fired[i];
            t.f.fire(t.arg, seqs[i], now);
        }
        return next;
    }

    /** Re-places every timer of bucket {@code b}. Concurrency: requires the lock. */
    private void cascade(int b) {
        RTimer t = heads[b];
        heads[b] = null;
        while (t != null) {
            RTimer nx = t.next;
            place(t);
            t = nx;
        }
    }

    /**
     * The first tick at or after {@code curTick} with a non-empty level-0 bucket or a non-empty
     * bucket to cascade; {@code Long.MAX_VALUE} if the wheel is empty.
     *
     * <p>Concurrency: requires the lock.
     */
    private long nextEventTick() {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < SLOTS; i++) {
            if (heads[(int) ((curTick + i) & SLOT_MASK)] != null) {
                best = curTick + i;
                break;
            }
        }
        for (int l = 1; l < LEVELS; l++) {
            long k0 = curTick >>> (BITS * l);
            // the current block's bucket counts if curTick is at its start (not cascaded yet)
            int from = (curTick & ((1L << (BITS * l)) - 1)) == 0 ? 0 : 1;
            for (int i = from; i <= SLOTS; i++) {
                long k = k0 + i;
                if (heads[l * SLOTS + (int) (k & SLOT_MASK)] != null) {
                    best = Math.min(best, k << (BITS * l));
                    break;
                }
            }
        }
        return best;
    }

    /** See "the wheel", step 4. Concurrency: requires the lock. */
    private long computeNextWake() {
        if (numTimers.get() == 0) {
            return 0;
        }
        long best = 0;
        for (int i = 0; i < SLOTS; i++) {
            RTimer t = heads[(int) ((curTick + i) & SLOT_MASK)];
            if (t != null) {
                long m = Long.MAX_VALUE;
                for (; t != null; t = t.next) {
                    m = Math.min(m, t.when);
                }
                best = m;
                break;
            }
        }
        for (int l = 1; l < LEVELS; l++) {
            long k0 = curTick >>> (BITS * l);
            for (int i = 1; i <= SLOTS; i++) {
                long k = k0 + i;
                if (heads[l * SLOTS + (int) (k & SLOT_MASK)] != null) {
                    long start = (k << (BITS * l)) << tickShift;
                    if (start <= 0) {
                        start = MAX_WHEN;
                    }
                    if (best == 0 || start < best) {
                        best = start;
                    }
                    break;
                }
            }
        }
        return best == 0 ? MAX_WHEN : best;
    }

    @Override
    public void moveTimersTo(TimerQueue dst) {
        WheelTimerQueue to = (WheelTimerQueue) dst;
        RTimer list = null;
        lock.lock();
        try {
            for (int b = 0; b < heads.length; b++) {
                RTimer t = heads[b];
                heads[b] = null;
                while (t != null) {
                    RTimer nx = t.next;
                    t.next = list;
                    list = t;
                    t = nx;
                }
            }
            numTimers.set(0);
            nextWake = 0;
        } finally {
            lock.unlock();
        }
        to.lock.lock();
        try {
            while (list != null) {
                RTimer nx = list.next;
                list.prev = null;
                list.next = null;
                to.link(list);
                list = nx;
            }
        } finally {
            to.lock.unlock();
        }
        long w = to.nextWake;
        if (w != 0) {
            to.host.wakeNetPoller(w);
        }
    }
}
