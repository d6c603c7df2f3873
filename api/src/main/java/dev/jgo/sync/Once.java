package dev.jgo.sync;

import dev.jgo.spi.Carrier;

/**
 * Go's {@code sync.Once}: {@link #run(Runnable)} (Go's {@code Do}) runs its function on the first
 * call only; later and concurrent calls wait (parked) until that first call has returned. As in
 * Go, a function that throws still counts as done. Must be called from a goroutine.
 */
public final class Once {

    /** Set once the first function returned. Volatile: the fast path's acquire edge. */
    private volatile boolean done;

    private final Mutex m = new Mutex();

    /** A Once whose function has not run. */
    public Once() {}

    /** Go's {@code Do}: runs {@code f} if no function has been run by this Once yet. */
    public void run(Runnable f) {
        Carrier.current().operationCheckpoint();
        if (done) {
            return;
        }
        m.lock();
        try {
            if (!done) {
                try {
                    f.run();
                } finally {
                    done = true;
                }
            }
        } finally {
            m.unlock();
        }
    }

    /** Whether a function has run (or is no longer running). */
    public boolean done() {
        return done;
    }
}
