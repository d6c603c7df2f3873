package dev.jgo.spi;

import dev.jgo.Goroutine;
import java.time.Instant;

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

    /**
     * The runtime's monotonic clock, in {@link TimerQueue#nanotime()} units: what its timers,
     * {@code Go.sleep} and deadlines measure. The wall clock's {@link TimerQueue#nanotime()} unless
     * the runtime was built with {@code virtualTime(true)}, whose clock moves only when every
     * goroutine is durably blocked (see {@link dev.jgo.GoRuntime.Builder#virtualTime}).
     *
     * <p>Concurrency: any thread.
     */
    default long nanotime() {
        return TimerQueue.nanotime();
    }

    /**
     * The runtime's wall clock ({@code dev.jgo.time.Time.now()}): {@link Instant#now()}, or under
     * virtual time {@code 2000-01-01T00:00:00Z} plus the virtual time elapsed.
     *
     * <p>Concurrency: any thread.
     */
    default Instant now() {
        return Instant.now();
    }

    /**
     * The clock that scheduling decisions read (the mutex's starvation mode): {@link #nanotime()},
     * except with a seed and no virtual time, where it stands still so that no decision depends on
     * the wall clock ({@link dev.jgo.GoRuntime.Builder#seed}).
     *
     * <p>Concurrency: any thread.
     */
    default long decisionNanotime() {
        return nanotime();
    }

    /**
     * Port of synctest.Wait ({@link dev.jgo.Go#awaitBlocked()}): parks the calling goroutine until
     * every other goroutine of this runtime is durably blocked and no timer is due.
     *
     * <p>Concurrency: a goroutine of this runtime.
     *
     * @throws IllegalStateException outside a virtual-time runtime, or if another goroutine is
     *     already waiting
     */
    default void awaitBlocked() {
        throw new IllegalStateException("Go.awaitBlocked needs a runtime built with virtualTime(true)");
    }

    /**
     * The end of synctest.Test: parks the calling goroutine until every other goroutine of this
     * runtime has ended, letting virtual time advance meanwhile, or until those left are blocked
     * with nothing that can wake them. Returns how many other goroutines are left (0: all ended).
     *
     * <p>Concurrency: a goroutine of this runtime.
     *
     * @throws IllegalStateException if another goroutine is already waiting in this or {@link
     *     #awaitBlocked()}
     */
    default int awaitOthersDone() {
        throw new UnsupportedOperationException(
                "awaitOthersDone is not supported by " + getClass().getName());
    }
}
