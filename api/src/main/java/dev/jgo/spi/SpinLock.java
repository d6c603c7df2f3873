package dev.jgo.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The runtime lock of a channel or semaphore (Go's {@code runtime.mutex}): held only for a few
 * instructions, never across a park except through the park's unlock function, which runs on the
 * same carrier once the goroutine is off it.
 *
 * <p>Used by {@code dev.jgo.sync} and the timer queues. It deliberately does not use thread
 * identity: a goroutine may resume on another carrier after any park or yield, and the JIT may
 * reuse a {@code Thread.currentThread()} value computed before the yield in the same compiled
 * method, so an owner-checked lock ({@link java.util.concurrent.locks.ReentrantLock}) taken and
 * released by goroutine code can see two different "current threads" and throw
 * IllegalMonitorStateException.
 *
 * <p>Not owner-checked: a goroutine may park holding it and have the carrier release it, which a
 * {@link java.util.concurrent.locks.ReentrantLock} would also allow (the carrier thread is the
 * owner) but at a higher cost. Contention spins with {@link Thread#onSpinWait()} and then yields
 * the carrier thread; the holder never blocks while holding it, so the wait is short.
 */
public final class SpinLock {

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SpinLock.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Spins before the waiter starts yielding its thread. */
    private static final int ACTIVE_SPIN = 128;

    /** 0 free, 1 held. Accessed through {@link #STATE} only. */
    @SuppressWarnings("unused")
    private int state;

    /**
     * Acquires the lock. CAS (volatile): acquire edge with the previous holder's release store.
     *
     * <p>Concurrency: any thread; not reentrant.
     */
    public void lock() {
        if (!STATE.compareAndSet(this, 0, 1)) {
            lockSlow();
        }
    }

    private void lockSlow() {
        int spins = 0;
        int backoff = 1;
        for (; ; ) {
            // Opaque read first (test-and-test-and-set) so waiters spin on a shared cache line.
            if ((int) STATE.getOpaque(this) == 0 && STATE.compareAndSet(this, 0, 1)) {
                return;
            }
            if (spins < ACTIVE_SPIN) {
                // Exponential back-off (1, 2, 4 ... 32 pauses): with many contenders a failed
                // CAS otherwise pulls the line away from the holder again at once.
                for (int i = 0; i < backoff; i++) {
                    Thread.onSpinWait();
                }
                spins += backoff;
                backoff = Math.min(backoff << 1, 32);
            } else {
                Thread.yield();
            }
        }
    }

    /**
     * Releases the lock. Release store: publishes the critical section to the next acquirer's CAS.
     *
     * <p>Concurrency: the holder, or the carrier finishing the holder's park.
     */
    public void unlock() {
        assert (int) STATE.getOpaque(this) == 1 : "unlock of unlocked runtime lock";
        STATE.setRelease(this, 0);
    }

    /** Whether some thread holds the lock (for assertions). Opaque read. */
    public boolean isHeld() {
        return (int) STATE.getOpaque(this) != 0;
    }
}
