package dev.jgo.spi;

import dev.jgo.Goroutine;

/**
 * The parts of a runtime that code outside a goroutine may call: making a parked goroutine
 * runnable and counting things that can still wake goroutines (for deadlock detection).
 */
public interface Scheduler {

    /**
     * Makes a goroutine parked with {@link Carrier#park} runnable. From a carrier it goes to that
     * P's {@code runnext}; from any other thread to the global run queue. A goroutine always runs
     * on its own runtime: given one of another runtime, this readies it there.
     *
     * <p>Concurrency: any thread.
     */
    void ready(Goroutine g);

    /**
     * Registers (+1) or releases (-1) a source that can still wake a parked goroutine from
     * outside the scheduler: a pending timer, a network waiter, an external thread that will
     * send, a goroutine of another runtime (each runtime detects deadlock among its own
     * goroutines only). Deadlock detection does not fire while the sum is positive.
     *
     * <p>Concurrency: any thread.
     */
    void addWaker(int delta);

    /**
     * Starts {@code fn} as a new goroutine. Callable from a carrier outside any goroutine (a timer
     * function, Go's {@code go f()} in {@code time.AfterFunc}) and from any thread.
     *
     * <p>Concurrency: any thread.
     *
     * @throws IllegalStateException if the runtime is closed
     */
    default Goroutine go(Runnable fn) {
        throw new UnsupportedOperationException(
                "go is not supported by " + getClass().getName());
    }

    /** The runtime's read-only view. */
    RuntimeView view();

    /**
     * The runtime's stop-the-world coordinator (stopTheWorld, forEachP, GOMAXPROCS changes).
     *
     * @throws UnsupportedOperationException if the runtime has none (jgo-safepoint absent)
     */
    default SafepointCoordinator safepoints() {
        throw new UnsupportedOperationException(
                "stop-the-world is not supported by " + getClass().getName());
    }
}
