package dev.jgo.sync;

import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Go's {@code sync.WaitGroup}: {@link #await()} waits until as many {@link #done()} calls as
 * {@link #add(int)}ed units have been made. Every method must be called from a goroutine.
 *
 * <p>State layout (a {@code long}, as Go's {@code state atomic.Uint64}):
 *
 * <pre>
 * bits 32..63  counter   units added and not yet done (signed)
 * bits  0..31  waiters   goroutines in await, parked on sema
 * </pre>
 *
 * <p>When the counter drops to 0 with waiters, the state is reset to 0 and one semaphore unit is
 * released per waiter; a waiter that wakes with a non-zero state means the group was reused
 * before the previous {@code await} returned.
 */
public final class WaitGroup {

    private final AtomicLong state = new AtomicLong();
    private final Sema sema = new Sema();

    /** A group with counter 0. */
    public WaitGroup() {}

    static int counter(long state) {
        return (int) (state >> 32);
    }

    static int waiters(long state) {
        return (int) state;
    }

    /**
     * Go's {@code Add}: adds {@code delta} (which may be negative) to the counter; at 0 every
     * waiter is released. Unlike Go, a delta that would make the counter negative leaves the
     * counter unchanged before it throws.
     *
     * @throws IllegalStateException "sync: negative WaitGroup counter"
     */
    public void add(int delta) {
        Carrier.current().operationCheckpoint();
        long s;
        long ns;
        do {
            s = state.get();
            long v = (long) counter(s) + delta;
            if (v < 0) {
                throw new IllegalStateException("sync: negative WaitGroup counter");
            }
            if (v > Integer.MAX_VALUE) {
                throw new IllegalStateException("sync: WaitGroup counter overflow");
            }
            ns = s + ((long) delta << 32);
        } while (!state.compareAndSet(s, ns));
        int v = counter(ns);
        int w = waiters(ns);
        if (w != 0 && delta > 0 && v == delta) {
            throw new IllegalStateException("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        if (v > 0 || w == 0) {
            return;
        }
        // Counter is 0 and there are waiters: no add or await may run concurrently now.
        if (state.get() != ns) {
            throw new IllegalStateException("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        state.set(0);
        for (; w != 0; w--) {
            sema.release(false);
        }
    }

    /** Go's {@code Done}: {@code add(-1)}. */
    public void done() {
        add(-1);
    }

    /** Go's {@code Wait}: parks until the counter is 0. */
    public void await() {
        Carrier.current().operationCheckpoint();
        for (; ; ) {
            long s = state.get();
            if (counter(s) == 0) {
                return;
            }
            if (state.compareAndSet(s, s + 1)) {
                sema.acquire(false, WaitReason.SYNC_WAITGROUP_WAIT);
                if (state.get() != 0) {
                    throw new IllegalStateException("sync: WaitGroup is reused before previous Wait has returned");
                }
                return;
            }
        }
    }
}
