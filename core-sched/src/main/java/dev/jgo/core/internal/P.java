package dev.jgo.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A processor: Go's {@code p}, the resource an M must hold to run goroutine code. Holds the
 * local run queue, the goroutine free list, the goroutine-id cache and the per-P counters.
 *
 * <h2>Status transitions</h2>
 *
 * Through {@link #casstatus}, throwing on an edge Go's state machine does not have:
 *
 * <pre>
 *   IDLE <-> RUNNING          (acquirep / releasep)
 *   RUNNING -> SYSCALL        (entersyscall keeps the P)
 *   SYSCALL -> RUNNING        (exitsyscall fast path)
 *   SYSCALL -> IDLE           (retake, handoff)
 *   IDLE | RUNNING | SYSCALL -> GCSTOP, GCSTOP -> IDLE | RUNNING   (stop/start the world)
 *   any -> DEAD               (procresize shrank GOMAXPROCS, or shutdown)
 *   DEAD -> GCSTOP            (procresize grew GOMAXPROCS again: dead Ps are reused, as Go's allp)
 * </pre>
 *
 * <h2>Who touches what</h2>
 *
 * <ul>
 *   <li>{@code status}: CAS by any thread.
 *   <li>run queue: see {@link RunQueue}.
 *   <li>{@code link}: under sched.lock (the idle P list).
 *   <li>everything else: the M holding this P (owner), read racily by {@code RuntimeView}.
 * </ul>
 */
final class P {
    static final int IDLE = 0;
    static final int RUNNING = 1;
    static final int SYSCALL = 2;
    static final int GCSTOP = 3;
    static final int DEAD = 4;

    /** Go's {@code _GFree} hysteresis: above 64 free Gs, move to the global list until 32 remain. */
    static final int GFREE_MAX = 64;

    static final int GFREE_KEEP = 32;

    /** Goroutine ids taken from the global generator at a time (Go: {@code _GoidCacheBatch}). */
    static final int GOID_BATCH = 16;

    private static final VarHandle STATUS;
    private static final VarHandle SAFE_POINT_FN;

    static {
        try {
            STATUS = MethodHandles.lookup().findVarHandle(P.class, "status", int.class);
            SAFE_POINT_FN = MethodHandles.lookup().findVarHandle(P.class, "runSafePointFn", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static String statusName(int s) {
        return switch (s) {
            case IDLE -> "IDLE";
            case RUNNING -> "RUNNING";
            case SYSCALL -> "SYSCALL";
            case GCSTOP -> "GCSTOP";
            case DEAD -> "DEAD";
            default -> "unknown(" + s + ")";
        };
    }

    static boolean validTransition(int from, int to) {
        if (to == DEAD) {
            return from != DEAD;
        }
        return switch (from) {
            case IDLE -> to == RUNNING || to == GCSTOP;
            case RUNNING -> to == IDLE || to == SYSCALL || to == GCSTOP;
            case SYSCALL -> to == RUNNING || to == IDLE || to == GCSTOP;
            case GCSTOP -> to == IDLE || to == RUNNING;
            case DEAD -> to == GCSTOP;
            default -> false;
        };
    }

    // ---- immutable ----
    final int id;
    final RunQueue runq;

    // ---- any thread ----
    private volatile int status = IDLE;
    /** Set by forEachP; the first to CAS it back runs the safe-point function for this P. */
    @SuppressWarnings("unused")
    private volatile boolean runSafePointFn;

    // ---- sched.lock ----
    /** Next in the idle P list. */
    P link;

    // ---- owner (the M holding this P) ----
    /** The M holding this P; written by acquirep/releasep. Read racily by the view. */
    volatile M m;

    long schedtick;
    long syscalltick;

    G gFree;
    int gFreeCount;
    /** timers: this P's timer queue (also in local[PLOCAL_TIMER]); null without a timer module. */
    dev.jgo.spi.TimerQueue timers;
    /** Subsystem caches, see Carrier.pLocal. */
    final Object[] local = new Object[8];

    long goidcache;
    long goidcacheend;

    // counters: owner-written plain longs, read racily by RuntimeView
    long goroutinesCreated;
    long goroutinesExited;
    long steals;
    long stolenGoroutines;
    long spins;
    long mParks;
    long mUnparks;
    long emptyWakeups;
    /** The seeded source of this P's random choices, made on first use (see Seeded). Owner only. */
    java.util.SplittableRandom seededRand;

    /** Scratch for globrunqget's batch (at most half the ring). Owner only. */
    final G[] globTake;

    P(int id, int runqCapacity, GlobalRunQueue global) {
        this.id = id;
        this.runq = new RunQueue(runqCapacity, global);
        this.globTake = new G[runqCapacity / 2];
    }

    int status() {
        return status; // volatile read, pairs with casstatus
    }

    /**
     * Moves the status from {@code from} to {@code to}.
     *
     * <p>Concurrency: any thread.
     *
     * @throws IllegalStateException on an illegal edge or an unexpected current status
     */
    void casstatus(int from, int to) {
        if (!validTransition(from, to)) {
            throw new IllegalStateException(
                    "P" + id + ": invalid transition " + statusName(from) + " -> " + statusName(to));
        }
        if (!STATUS.compareAndSet(this, from, to)) {
            throw new IllegalStateException("P" + id + " is " + statusName(status) + ", expected " + statusName(from)
                    + " (to " + statusName(to) + ")");
        }
    }

    /** Whether a forEachP function waits for this P. Concurrency: any thread (volatile read). */
    boolean safePointFnPending() {
        return runSafePointFn;
    }

    /** Flags this P for forEachP. Concurrency: the forEachP caller under sched.lock. */
    void requestSafePointFn(boolean on) {
        runSafePointFn = on;
    }

    /** Claims the pending safe-point function; true for exactly one claimant. Concurrency: any thread. */
    boolean claimSafePointFn() {
        return runSafePointFn && SAFE_POINT_FN.compareAndSet(this, true, false);
    }

    /** CAS without throwing on a lost race (retake and stop-the-world race for SYSCALL Ps). */
    boolean tryCasstatus(int from, int to) {
        assert validTransition(from, to) : statusName(from) + " -> " + statusName(to);
        return STATUS.compareAndSet(this, from, to);
    }

    @Override
    public String toString() {
        return "P" + id + "[" + statusName(status) + "]";
    }
}
