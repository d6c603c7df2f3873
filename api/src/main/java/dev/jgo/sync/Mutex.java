package dev.jgo.sync;

import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Go's {@code sync.Mutex}: a mutual exclusion lock for goroutines; a goroutine that waits parks,
 * its carrier runs other goroutines. Not reentrant, and not owned: any goroutine may unlock it.
 * {@link #lock} must be called from a goroutine; {@link #tryLock} and {@link #unlock} never park
 * and may be called from any thread (see {@link Chan}, "Design note: Non-blocking operations from
 * any thread"). In a goroutine every method is an operation checkpoint.
 *
 * <h2>Design note: Mutex fairness (Go's)</h2>
 *
 * <p>Normal mode: waiters queue FIFO on a {@link Sema}, but a woken waiter competes with newly
 * arriving goroutines, which are already running and usually win; a woken waiter that loses is
 * queued at the front. Throughput is high because the lock rarely idles while a waiter is being
 * scheduled. Starvation mode: when a waiter has waited more than {@value #STARVATION_THRESHOLD_NS}
 * ns it switches the mutex to starvation mode: unlock hands the lock directly to the first waiter,
 * newcomers do not try to take it or spin but queue at the tail. The mutex returns to normal mode
 * when the waiter that gets the lock is the last one or waited less than the threshold.
 *
 * <p>State word layout (an {@code int}, as Go's):
 *
 * <pre>
 * bit  0      LOCKED    held
 * bit  1      WOKEN     a waiter was woken (or is spinning): unlock need not wake another
 * bit  2      STARVING  starvation mode
 * bits 3..31  waiters   goroutines parked on sema (WAITER_SHIFT)
 * </pre>
 */
public final class Mutex implements Locker {

    static final int LOCKED = 1;
    static final int WOKEN = 1 << 1;
    static final int STARVING = 1 << 2;
    static final int WAITER_SHIFT = 3;

    /** Go's {@code starvationThresholdNs}: 1 ms. */
    static final long STARVATION_THRESHOLD_NS = 1_000_000L;

    private static final boolean MULTICORE = Runtime.getRuntime().availableProcessors() > 1;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Mutex.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** See the layout table. Volatile accesses and CAS only. */
    @SuppressWarnings("unused")
    private int state;

    private final Sema sema = new Sema();

    /** An unlocked mutex. */
    public Mutex() {}

    /** The state word (tests). Volatile read. */
    int state() {
        return (int) STATE.getVolatile(this);
    }

    /**
     * Port of runtime.sync_runtime_canSpin, reduced to what the SPI can see: a few rounds, only on
     * a multicore machine. (Go also requires an idle-free P set and an empty local run queue.)
     */
    private static boolean canSpin(int iter) {
        return MULTICORE && iter < 4;
    }

    /** Port of runtime.sync_runtime_doSpin: 30 pause instructions. */
    private static void doSpin() {
        for (int i = 0; i < 30; i++) {
            Thread.onSpinWait();
        }
    }

    /**
     * Port of sync.(*Mutex).lockSlow.
     *
     * <p>Concurrency: a goroutine.
     */
    private void lockSlow() {
        long waitStartTime = 0;
        boolean starving = false;
        boolean awoke = false;
        int iter = 0;
        int old = state();
        for (; ; ) {
            // Spin only in normal mode while locked: in starvation mode the lock goes to a waiter.
            if ((old & (LOCKED | STARVING)) == LOCKED && canSpin(iter)) {
                // Set WOKEN so unlock does not wake a waiter that would only compete with us.
                if (!awoke
                        && (old & WOKEN) == 0
                        && (old >>> WAITER_SHIFT) != 0
                        && STATE.compareAndSet(this, old, old | WOKEN)) {
                    awoke = true;
                }
                doSpin();
                iter++;
                old = state();
                continue;
            }
            int nw = old;
            if ((old & STARVING) == 0) {
                nw |= LOCKED; // do not try to take a starving mutex: it is handed off
            }
            if ((old & (LOCKED | STARVING)) != 0) {
                nw += 1 << WAITER_SHIFT;
            }
            if (starving && (old & LOCKED) != 0) {
                nw |= STARVING;
            }
            if (awoke) {
                if ((nw & WOKEN) == 0) {
                    throw new IllegalStateException("sync: inconsistent mutex state");
                }
                nw &= ~WOKEN;
            }
            if (STATE.compareAndSet(this, old, nw)) {
                if ((old & (LOCKED | STARVING)) == 0) {
                    return; // locked with CAS
                }
                boolean queueLifo = waitStartTime != 0;
                if (waitStartTime == 0) {
                    waitStartTime = clock();
                }
                sema.acquire(queueLifo, WaitReason.SYNC_MUTEX_LOCK);
                starving = starving || clock() - waitStartTime > STARVATION_THRESHOLD_NS;
                old = state();
                if ((old & STARVING) != 0) {
                    // Handed off in starvation mode: LOCKED is clear and we are counted as a
                    // waiter; take the lock and leave the waiter count.
                    if ((old & (LOCKED | WOKEN)) != 0 || (old >>> WAITER_SHIFT) == 0) {
                        throw new IllegalStateException("sync: inconsistent mutex state");
                    }
                    int delta = LOCKED - (1 << WAITER_SHIFT);
                    if (!starving || (old >>> WAITER_SHIFT) == 1) {
                        delta -= STARVING; // exit starvation mode: see the design note
                    }
                    STATE.getAndAdd(this, delta);
                    return;
                }
                awoke = true;
                iter = 0;
            } else {
                old = state();
            }
        }
    }

    /**
     * Port of sync.(*Mutex).unlockSlow: {@code nw} is the state after clearing LOCKED.
     *
     * <p>Concurrency: any thread.
     */
    private void unlockSlow(int nw) {
        if ((nw & STARVING) == 0) {
            int old = nw;
            for (; ; ) {
                // No waiters, or a goroutine already woken, locked or in starvation mode: nothing
                // to wake.
                if ((old >>> WAITER_SHIFT) == 0 || (old & (LOCKED | WOKEN | STARVING)) != 0) {
                    return;
                }
                nw = (old - (1 << WAITER_SHIFT)) | WOKEN;
                if (STATE.compareAndSet(this, old, nw)) {
                    sema.release(false);
                    return;
                }
                old = state();
            }
        } else {
            // Starvation mode: hand the lock to the next waiter and yield so it runs soon. LOCKED
            // stays clear; the waiter sets it. STARVING keeps newcomers off it meanwhile.
            sema.release(true);
        }
    }

    /** Go's {@code Lock}: waits (parked) until the mutex is free. */
    @Override
    public void lock() {
        Carrier.current().operationCheckpoint();
        if (STATE.compareAndSet(this, 0, LOCKED)) {
            return;
        }
        lockSlow();
    }

    /** Go's {@code TryLock}: takes the mutex if it is free (and not being handed off). */
    public boolean tryLock() {
        Chan.checkpoint(false);
        int old = state();
        if ((old & (LOCKED | STARVING)) != 0) {
            return false;
        }
        return STATE.compareAndSet(this, old, old | LOCKED);
    }

    /**
     * Go's {@code Unlock}. Unlike Go, which corrupts the state and aborts, an unlock of an
     * unlocked mutex leaves the state unchanged and throws. Its operation checkpoint runs after
     * the mutex is released.
     *
     * @throws IllegalStateException if the mutex is not locked ("sync: unlock of unlocked mutex")
     */
    @Override
    public void unlock() {
        int old;
        int nw;
        do {
            old = state();
            if ((old & LOCKED) == 0) {
                throw new IllegalStateException("sync: unlock of unlocked mutex");
            }
            nw = old - LOCKED;
        } while (!STATE.compareAndSet(this, old, nw));
        if (nw != 0) {
            unlockSlow(nw);
        }
        // The checkpoint comes after the release: a yield here while still holding the mutex
        // (the operation budget runs out every 128 operations) would make every other contender
        // spin and park until the holder is scheduled again (lock-holder preemption).
        Chan.checkpoint(false);
    }

    @Override
    public String toString() {
        int s = state();
        return "Mutex[" + ((s & LOCKED) != 0 ? "locked" : "unlocked") + ((s & STARVING) != 0 ? ", starving" : "")
                + ", waiters=" + (s >>> WAITER_SHIFT) + "]";
    }

    /**
     * The clock the starvation threshold is measured on: the runtime's decision clock ({@code
     * Scheduler.decisionNanotime()}: virtual under virtual time, still under a seed), the wall
     * clock for a caller that is not a goroutine.
     */
    private static long clock() {
        dev.jgo.spi.Carrier c = dev.jgo.spi.Carrier.currentOrNull();
        return c != null ? c.scheduler().decisionNanotime() : System.nanoTime();
    }
}
