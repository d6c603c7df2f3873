package dev.jgo.spi;

import java.util.function.IntConsumer;

/**
 * Stop-the-world, forEachP and GOMAXPROCS changes for one runtime (Go's {@code
 * stopTheWorld}/{@code startTheWorld}/{@code forEachP}/{@code freezetheworld}). Implemented by
 * {@code gc-safepoint-module}; it drives the runtime's Ps only through {@link ProcControl}.
 *
 * <p>Safe points are the runtime calls a goroutine makes (channel and sync operations, {@code
 * Go.yield}, {@code Go.go}, timers, network) and {@code Go.checkpoint()}. A goroutine that loops
 * without any of them delays a stop until it reaches one, as in Go before asynchronous
 * preemption; the coordinator reports such a wait on standard error once a second.
 *
 * <p>Concurrency: any thread or goroutine. Stoppers are serialized; a second stopper waits (a
 * goroutine waits by yielding, so its P can still stop).
 */
public interface SafepointCoordinator {

    /**
     * Stops every P: when this returns, no goroutine of the runtime runs except the caller.
     * Must be followed by {@link #startTheWorld()} on the same thread; in between a calling
     * goroutine must not park, yield or block.
     *
     * @param reason what the stop is for (diagnostics)
     * @throws IllegalStateException if the caller already stopped the world (nested stop)
     */
    void stopTheWorld(String reason);

    /**
     * As {@link #stopTheWorld}, but gives up after {@code timeoutNanos} if some goroutine has not
     * reached a safe point by then: the stop is abandoned (the world runs on; there is nothing to
     * start) and this returns false. On true, call {@link #startTheWorld()} as after a stop.
     *
     * @throws IllegalStateException if the caller already stopped the world (nested stop)
     */
    boolean tryStopTheWorld(String reason, long timeoutNanos);

    /**
     * Starts the world stopped by {@link #stopTheWorld}.
     *
     * @throws IllegalStateException if the caller did not stop it
     */
    void startTheWorld();

    /**
     * Runs {@code fn} once for every P at a safe point, with the P's id; for idle Ps and Ps in a
     * system call the coordinator runs it on their behalf. Returns when every P has run it.
     *
     * @throws IllegalStateException if a call of {@code fn} threw (the first one as the cause,
     *     the others suppressed); every P still ran it and the runtime goes on
     */
    void forEachP(IntConsumer fn);

    /**
     * Sets GOMAXPROCS under stop-the-world (procresize) and returns the previous value; {@code
     * 0} returns the current value without change, as Go.
     *
     * @throws IllegalArgumentException if {@code n < 0}
     */
    int gomaxprocs(int n);

    /**
     * Best-effort stop for crash dumps (Go's freezetheworld): preempts everything and waits up
     * to {@code nanos} without the stopper lock. Returns the Ps still running. The world is not
     * restarted: for a runtime that is about to be closed.
     */
    int freezeTheWorld(long nanos);

    /** Counts and latencies of the stops so far. */
    Stats stats();

    /**
     * @param stops completed stops
     * @param lastStopNanos time from request to world stopped, last stop
     * @param maxStopNanos the longest such time
     * @param totalStopNanos the sum of such times
     * @param repreempts preemptAll rounds after the first (a P slow to reach a safe point)
     */
    record Stats(long stops, long lastStopNanos, long maxStopNanos, long totalStopNanos, long repreempts) {}

    /**
     * Creates a coordinator for a runtime: the one {@link #install}ed, else the first found with
     * {@link java.util.ServiceLoader}.
     */
    interface Provider {
        /** A coordinator for the runtime behind {@code control}. */
        SafepointCoordinator create(ProcControl control);

        /**
         * Makes runtimes built from now on use {@code p} instead of looking for a provider with
         * {@link java.util.ServiceLoader}, which cannot see across bundles: jgo-safepoint's
         * Declarative Services component calls this when its bundle starts. Concurrency: any
         * thread.
         */
        static void install(Provider p) {
            Installed.provider = java.util.Objects.requireNonNull(p, "provider");
        }

        /** Undoes {@link #install} if {@code p} is still installed. Concurrency: any thread. */
        static void uninstall(Provider p) {
            synchronized (Installed.class) {
                if (Installed.provider == p) {
                    Installed.provider = null;
                }
            }
        }

        /** The installed provider, or null. */
        static Provider installed() {
            return Installed.provider;
        }
    }

    /** Holder of {@link Provider#install}'s provider. */
    final class Installed {
        private Installed() {}

        private static volatile Provider provider;
    }
}
