package dev.jgo.sync;

import dev.jgo.Goroutine;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.Scheduler;
import dev.jgo.spi.SpinLock;

/**
 * Port of runtime.sudog: a goroutine waiting in a channel's wait queue (one per select case) or in
 * a semaphore's queue. A goroutine may wait on many channels at once in a select, so the waiting
 * relation is many-to-many and needs this node rather than a field in the goroutine.
 *
 * <p>Ownership: a sudog in a queue is guarded by that queue's lock; once dequeued by a waker it
 * belongs to the waker until the waker readies its goroutine, and then to that goroutine, which
 * releases it to its P's cache ({@link #acquireSudog}/{@link #releaseSudog}). Fields written by a
 * waker before {@link Carrier#ready} are visible to the woken goroutine through the scheduler's run
 * queue hand-off (release by the readier, acquire by the M that runs the goroutine).
 */
final class Sudog {

    /** Per-P cache size, Go's {@code len(pp.sudogbuf)}. */
    static final int CACHE_SIZE = 128;

    /** The waiting goroutine. */
    Goroutine g;

    /**
     * The scheduler running {@link #g}, so a waker that is not a goroutine (a non-blocking channel
     * operation or a {@link Mutex#unlock} called from a plain thread) can ready it.
     */
    Scheduler sched;

    /** Wait queue links (channel queue: both; semaphore queue: {@code next} only). */
    Sudog next;

    Sudog prev;

    /** The value to send, or the value received. */
    Object elem;

    /** The channel this sudog waits on; null in a semaphore queue. */
    Chan<?> c;

    /** The select this sudog belongs to, or null for a plain send/receive (Go's {@code isSelect}). */
    Select sel;

    /**
     * Whether the communication happened (true) or the goroutine was woken because the channel
     * was closed (false). Written by the waker before ready.
     */
    boolean success;

    /** Semaphore hand-off: 1 when the releaser passed its unit directly to this waiter. */
    int ticket;

    /**
     * Readies {@link #g} from {@code cr}, or, when the caller is not a goroutine ({@code cr} null),
     * through {@link #sched} (to the global run queue).
     *
     * <p>Concurrency: any thread; the caller owns this sudog (dequeued), and loses it on return.
     */
    void ready(Carrier cr) {
        if (cr != null) {
            cr.ready(g);
        } else {
            sched.ready(g);
        }
    }

    /** Links sudogs collected by {@link Chan#close()} to be readied after the unlock. */
    Sudog waitlink;

    /** A P's cache of free sudogs (Go's {@code pp.sudogcache}). Owner P only. */
    static final class Cache {
        final Sudog[] buf = new Sudog[CACHE_SIZE];
        int n;
    }

    /**
     * The central cache (Go's {@code sched.sudogcache}): a goroutine often acquires its sudog on
     * one P and releases it on another (it parked on P0 and was resumed on P1), so without it one
     * P's cache fills and drops sudogs while another's runs dry and allocates on every park. A P
     * moves half a cache here when its own is full and takes half a cache when its own is empty.
     * Bounded: past {@link #CENTRAL_SIZE} sudogs are left to the garbage collector.
     *
     * <p>Concurrency: {@link #CENTRAL_LOCK} guards {@link #central} and {@link #centralN}; the
     * sudogs in it are free (all fields null).
     */
    static final int CENTRAL_SIZE = 16 * CACHE_SIZE;

    private static final SpinLock CENTRAL_LOCK = new SpinLock();
    private static final Sudog[] central = new Sudog[CENTRAL_SIZE];
    private static int centralN;

    /** Refills an empty P cache with up to half a cache from the central one. Owner P only. */
    private static void refill(Cache pc) {
        CENTRAL_LOCK.lock();
        try {
            int take = Math.min(CACHE_SIZE / 2, centralN);
            for (int i = 0; i < take; i++) {
                pc.buf[pc.n++] = central[--centralN];
                central[centralN] = null;
            }
        } finally {
            CENTRAL_LOCK.unlock();
        }
    }

    /** Moves the upper half of a full P cache to the central one (what does not fit is dropped). */
    private static void spill(Cache pc) {
        CENTRAL_LOCK.lock();
        try {
            for (int i = CACHE_SIZE / 2; i < CACHE_SIZE; i++) {
                if (centralN < CENTRAL_SIZE) {
                    central[centralN++] = pc.buf[i];
                }
                pc.buf[i] = null;
            }
        } finally {
            CENTRAL_LOCK.unlock();
        }
        pc.n = CACHE_SIZE / 2;
    }

    /**
     * Port of runtime.acquireSudog: from the P's cache, refilled from the central cache when
     * empty; allocates only when both are empty, or for a goroutine with no P (inside {@code
     * Go.blocking}).
     *
     * <p>Concurrency: the goroutine running on {@code cr}, holding its P (no yield until return)
     * or none.
     */
    static Sudog acquireSudog(Carrier cr) {
        Object[] local = cr.pLocalOrNull();
        if (local == null) {
            Sudog s = new Sudog();
            s.sched = cr.scheduler();
            return s;
        }
        Cache pc = (Cache) local[Carrier.PLOCAL_SUDOG];
        if (pc == null) {
            pc = new Cache();
            local[Carrier.PLOCAL_SUDOG] = pc;
        }
        if (pc.n == 0) {
            refill(pc);
            if (pc.n == 0) {
                Sudog s = new Sudog();
                s.sched = cr.scheduler();
                return s;
            }
        }
        Sudog s = pc.buf[--pc.n];
        pc.buf[pc.n] = null;
        assert s.g == null && s.elem == null && s.c == null && s.next == null && s.prev == null;
        s.sched = cr.scheduler();
        return s;
    }

    /**
     * Port of runtime.releaseSudog: clears {@code s} and returns it to the P's cache. A full cache
     * moves half of it to the central cache, as Go does; without a P ({@code Go.blocking}) {@code
     * s} is dropped.
     *
     * <p>Concurrency: the goroutine running on {@code cr}, holding its P or none, owning {@code s}.
     */
    static void releaseSudog(Carrier cr, Sudog s) {
        assert s.next == null && s.prev == null && s.waitlink == null : "sudog still linked";
        s.g = null;
        s.sched = null;
        s.elem = null;
        s.c = null;
        s.sel = null;
        s.success = false;
        s.ticket = 0;
        Object[] local = cr.pLocalOrNull();
        if (local == null) {
            return;
        }
        Cache pc = (Cache) local[Carrier.PLOCAL_SUDOG];
        if (pc == null) {
            pc = new Cache();
            local[Carrier.PLOCAL_SUDOG] = pc;
        }
        if (pc.n == CACHE_SIZE) {
            spill(pc);
        }
        pc.buf[pc.n++] = s;
    }
}
