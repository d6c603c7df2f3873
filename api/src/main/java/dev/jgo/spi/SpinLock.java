package dev.jgo.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A runtime lock (Go's {@code runtime.mutex}): {@code sched.lock}, the lock of a channel,
 * semaphore or timer queue. Held for a few instructions, never across a park except through the
 * park's unlock function, which runs on the same carrier once the goroutine is off it.
 *
 * <p>It deliberately does not use thread identity for ownership: a goroutine may resume on
 * another carrier after any park or yield, and the JIT may reuse a {@code Thread.currentThread()}
 * value computed before the yield in the same compiled method, so an owner-checked lock ({@link
 * java.util.concurrent.locks.ReentrantLock}) taken and released by goroutine code can see two
 * different "current threads" and throw IllegalMonitorStateException. Not owner-checked: a
 * goroutine may park holding it and have the carrier release it.
 *
 * <h2>Design note: spin, then sleep (Go's lock_futex)</h2>
 *
 * The holder never blocks inside the lock, but its thread can be descheduled by the OS (a loaded
 * machine, a safepoint, a page fault). Rejected: spinning until the lock is free (with {@code
 * Thread.yield()} or not), which burns the CPUs the descheduled holder needs and never gives up.
 * Chosen: Go's three-state futex lock, with the futex replaced by a stack of waiter records:
 *
 * <ol>
 *   <li>{@code state} is UNLOCKED, LOCKED, or SLEEPING (locked, and a waiter may be asleep).
 *   <li>{@link #lock}: CAS UNLOCKED to LOCKED. Failing that, exchange in LOCKED; then spin
 *       (actively, then one {@code Thread.yield()}) trying to CAS UNLOCKED to {@code wait} (the
 *       state it found, so a SLEEPING mark is never lost); then exchange in SLEEPING and, if the
 *       lock was still held, sleep ({@code futexsleep}); woken, it starts over with {@code wait}
 *       SLEEPING.
 *   <li>Sleep ({@code futexsleep(&state, SLEEPING)}): push a waiter record, then sleep only if
 *       {@code state} still is SLEEPING; otherwise withdraw the record (or, if a waker took it
 *       meanwhile, take the wake-up as its own).
 *   <li>{@link #unlock}: exchange in UNLOCKED; if it was SLEEPING, pop records until one is
 *       still waiting, mark it woken and unpark its thread ({@code futexwakeup(&state, 1)}).
 * </ol>
 *
 * No lost wake-up: a sleeper pushed its record before it read SLEEPING, and the unlocker popped
 * after it exchanged SLEEPING out, so the pop sees that record or a later one; a woken waiter
 * that takes the lock leaves SLEEPING in place (its {@code wait}), so its own unlock wakes the
 * next sleeper. The records are allocated only on the sleeping path.
 */
public final class SpinLock {

    private static final VarHandle STATE;
    private static final VarHandle WAITERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(SpinLock.class, "state", int.class);
            WAITERS = l.findVarHandle(SpinLock.class, "waiters", Waiter.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final int UNLOCKED = 0;
    static final int LOCKED = 1;
    static final int SLEEPING = 2;

    /** Rounds of active spinning before the passive one (Go: active_spin = 4). */
    private static final int ACTIVE_SPIN = 4;
    /** Pauses per active round (Go: active_spin_cnt = 30 procyields). */
    private static final int ACTIVE_SPIN_CNT = 30;
    /** Rounds of {@code Thread.yield()} before sleeping (Go: passive_spin = 1 osyield). */
    private static final int PASSIVE_SPIN = 1;

    /** A sleeping (or about to sleep) waiter: Go's futex wait queue entry. */
    private static final class Waiter {
        static final int WAITING = 0;
        static final int WOKEN = 1;
        static final int LEFT = 2;

        private static final VarHandle STATUS;

        static {
            try {
                STATUS = MethodHandles.lookup().findVarHandle(Waiter.class, "status", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Thread thread;
        /** Written before the publishing CAS on {@code waiters}; read by poppers after it. */
        Waiter next;

        @SuppressWarnings("unused")
        private volatile int status;

        Waiter(Thread thread) {
            this.thread = thread;
        }

        /** CAS from WAITING (volatile): exactly one of a waker and the waiter itself wins. */
        boolean leave(int to) {
            return STATUS.compareAndSet(this, WAITING, to);
        }

        boolean waiting() {
            return status == WAITING; // volatile read, pairs with the waker's CAS
        }
    }

    /** UNLOCKED, LOCKED or SLEEPING. Accessed through {@link #STATE} only. */
    @SuppressWarnings("unused")
    private int state;

    /** Treiber stack of waiter records; CAS only. */
    @SuppressWarnings("unused")
    private volatile Waiter waiters;

    /**
     * Acquires the lock. CAS (volatile): acquire edge with the previous holder's release.
     *
     * <p>Concurrency: any thread; not reentrant.
     */
    public void lock() {
        if (!STATE.compareAndSet(this, UNLOCKED, LOCKED)) {
            lockSlow();
        }
    }

    /** Port of runtime.lock2 (lock_futex.go). */
    private void lockSlow() {
        int v = (int) STATE.getAndSet(this, LOCKED);
        if (v == UNLOCKED) {
            return;
        }
        // wait is either LOCKED or SLEEPING depending on whether there is a thread sleeping on
        // this lock. If we ever change state from SLEEPING to some other value, we must be
        // careful to change it back to SLEEPING before returning, to ensure that the sleeping
        // thread gets its wakeup call.
        int wait = v;
        for (; ; ) {
            // Try for lock, spinning.
            for (int i = 0; i < ACTIVE_SPIN; i++) {
                if (tryFrom(wait)) {
                    return;
                }
                for (int k = 0; k < ACTIVE_SPIN_CNT; k++) {
                    Thread.onSpinWait();
                }
            }
            // Try for lock, rescheduling.
            for (int i = 0; i < PASSIVE_SPIN; i++) {
                if (tryFrom(wait)) {
                    return;
                }
                Thread.yield();
            }
            // Sleep.
            v = (int) STATE.getAndSet(this, SLEEPING);
            if (v == UNLOCKED) {
                return;
            }
            wait = SLEEPING;
            sleep();
        }
    }

    /** Takes the lock if it is free, leaving {@code wait} in the state word. */
    private boolean tryFrom(int wait) {
        // Opaque read first (test-and-test-and-set) so waiters spin on a shared cache line.
        return (int) STATE.getOpaque(this) == UNLOCKED && STATE.compareAndSet(this, UNLOCKED, wait);
    }

    /** Waiter records made by {@link #sleep} in this JVM (see {@link #waiterRecords()}). */
    private static final java.util.concurrent.atomic.AtomicLong WAITER_RECORDS =
            new java.util.concurrent.atomic.AtomicLong();

    /**
     * How many waiter records (one small object each) runtime locks of this JVM have made: one
     * each time a waiter went to sleep. The one allocation of the lock's slow path, counted so
     * that allocation tests can tell it from the callers' own. Concurrency: any thread (racy).
     */
    public static long waiterRecords() {
        return WAITER_RECORDS.get();
    }

    /** futexsleep(&state, SLEEPING): sleeps unless the state has changed; may wake spuriously. */
    private void sleep() {
        WAITER_RECORDS.getAndIncrement();
        Waiter w = new Waiter(Carrier.carrierThread()); // the thread that parks below, read afresh
        Waiter h;
        do {
            h = waiters;
            w.next = h;
        } while (!WAITERS.compareAndSet(this, h, w));
        // The push (volatile CAS) comes before this read of the state; an unlock that comes
        // after it pops after its exchange, so it sees w or a record pushed later.
        if ((int) STATE.getVolatile(this) != SLEEPING) {
            if (w.leave(Waiter.LEFT)) {
                WAITERS.compareAndSet(this, w, w.next); // best effort: unlink if still on top
            }
            return; // or a waker took w meanwhile: its wake-up is ours, and we retry anyway
        }
        // A set interrupt flag makes park return at once, so the sleeper would spin until woken:
        // take the flag for the sleep and hand it back after (jgo's locks are not interruptible).
        boolean interrupted = false;
        while (w.waiting()) {
            interrupted |= Thread.interrupted();
            LockSupport.park(this);
        }
        if (interrupted) {
            w.thread.interrupt();
        }
    }

    /**
     * Releases the lock. Exchange (volatile): publishes the critical section to the next
     * acquirer; wakes one sleeper if the lock was marked SLEEPING (Go's unlock2).
     *
     * <p>Concurrency: the holder, or the carrier finishing the holder's park.
     */
    public void unlock() {
        int v = (int) STATE.getAndSet(this, UNLOCKED);
        assert v != UNLOCKED : "unlock of unlocked runtime lock";
        if (v == SLEEPING) {
            wakeOne();
        }
    }

    /** futexwakeup(&state, 1): wakes the most recent waiter that still waits, if any. */
    private void wakeOne() {
        for (; ; ) {
            Waiter w = waiters;
            if (w == null) {
                return;
            }
            if (!WAITERS.compareAndSet(this, w, w.next)) {
                continue;
            }
            if (w.leave(Waiter.WOKEN)) {
                LockSupport.unpark(w.thread);
                return;
            }
            // LEFT: it saw the state change before sleeping; try the next one
        }
    }

    /** Whether some thread holds the lock (for assertions). Opaque read. */
    public boolean isHeld() {
        return (int) STATE.getOpaque(this) != UNLOCKED;
    }
}
