package dev.jgo.spi;

import java.util.List;

/**
 * Read-only introspection of a runtime for the profiler, schedtrace, JMX and the CLI. Values are
 * read without stopping the world, so they are a recent, not an atomic, picture; counters are
 * published by each P as it runs (plain per-P fields read racily, never torn on 64-bit JVMs).
 */
public interface RuntimeView {

    /**
     * Scheduler counters of one P, or summed over all Ps (the M figures are per M, summed).
     *
     * @param spins times an M became spinning (looked for work in other Ps' queues)
     * @param mParks times an M parked for want of work
     * @param mUnparks times a parked M came back with a P to run
     * @param emptyWakeups times an M that had been woken parked again without running a goroutine
     * @param mWakeups Ms woken: returns of a parked M (idle, locked, waiting for a P, pinned) from
     *     its park, whatever woke it ({@code notewakeup}, an unpark, a timer kick); one {@code
     *     LockSupport.unpark} and one thread wake-up each
     * @param spinRounds rounds of the steal loop run by spinning Ms (each visits every other P)
     */
    record Counters(
            long schedticks,
            long goroutinesCreated,
            long steals,
            long stolenGoroutines,
            long spins,
            long mParks,
            long mUnparks,
            long emptyWakeups,
            long runqOverflows,
            long mWakeups,
            long spinRounds) {

        /** The counters without the wake-up figures ({@code mWakeups} and {@code spinRounds} 0). */
        public Counters(
                long schedticks,
                long goroutinesCreated,
                long steals,
                long stolenGoroutines,
                long spins,
                long mParks,
                long mUnparks,
                long emptyWakeups,
                long runqOverflows) {
            this(
                    schedticks,
                    goroutinesCreated,
                    steals,
                    stolenGoroutines,
                    spins,
                    mParks,
                    mUnparks,
                    emptyWakeups,
                    runqOverflows,
                    0,
                    0);
        }

        /** Field-wise sum. */
        public Counters plus(Counters o) {
            return new Counters(
                    schedticks + o.schedticks,
                    goroutinesCreated + o.goroutinesCreated,
                    steals + o.steals,
                    stolenGoroutines + o.stolenGoroutines,
                    spins + o.spins,
                    mParks + o.mParks,
                    mUnparks + o.mUnparks,
                    emptyWakeups + o.emptyWakeups,
                    runqOverflows + o.runqOverflows,
                    mWakeups + o.mWakeups,
                    spinRounds + o.spinRounds);
        }
    }

    /**
     * Figures of sysmon, the runtime's monitor thread (Go's {@code sysmon}), read racily.
     *
     * @param retakes Ps taken back from Ms that sat in a blocking call ({@code Go.blocking})
     * @param preemptions goroutines asked to yield after running one time slice (10 ms)
     * @param autoHandoffs Ps handed off from carriers blocked in unannotated calls ({@code
     *     Builder.autoHandoff})
     * @param overdueTimerWakes Ms woken because a P's timer was overdue
     * @param longRunWarnings goroutines reported for keeping their P past {@code
     *     Builder.longRunWarning} without a preemption point
     */
    record SysmonCounters(
            long retakes, long preemptions, long autoHandoffs, long overdueTimerWakes, long longRunWarnings) {
        /** Counters without long-run warnings. */
        public SysmonCounters(long retakes, long preemptions, long autoHandoffs, long overdueTimerWakes) {
            this(retakes, preemptions, autoHandoffs, overdueTimerWakes, 0);
        }
    }

    int gomaxprocs();

    /** Live goroutines: created and not yet exited. */
    int numGoroutine();

    /** Ms (carrier threads) created and not exited. */
    int threads();

    int idleThreads();

    int idleProcs();

    int spinningThreads();

    /** Goroutines in the global run queue (approximate while the runtime runs). */
    int globalRunqSize();

    /** Goroutines in P {@code pid}'s local run queue, {@code runnext} included. */
    int localRunqSize(int pid);

    /** Counters of P {@code pid}. */
    Counters counters(int pid);

    /** Counters summed over all Ps. */
    Counters counters();

    /**
     * Every goroutine that exists now (Go's {@code allgs} less the dead), with its state, wait
     * reason, labels and stack: the goroutine profile's source. Each goroutine is read
     * consistently (a parked one is kept from resuming while its stack is read), the list as a
     * whole is not an atomic picture.
     *
     * @throws UnsupportedOperationException if this runtime keeps no goroutine registry
     */
    default List<GoroutineInfo> goroutines() {
        throw new UnsupportedOperationException(getClass().getName() + " does not provide goroutine snapshots");
    }

    /**
     * Every live M with what it is doing; with {@code stacks}, the goroutine frames of those
     * running goroutine code (the CPU profiler's sample source). Reading a running thread's stack
     * waits for it to reach a safe point.
     *
     * @throws UnsupportedOperationException if this runtime does not provide M snapshots
     */
    default List<MachineInfo> machines(boolean stacks) {
        throw new UnsupportedOperationException(getClass().getName() + " does not provide M snapshots");
    }

    /**
     * Sysmon's counters; all zero before sysmon starts.
     *
     * @throws UnsupportedOperationException if this runtime does not publish them
     */
    default SysmonCounters sysmon() {
        throw new UnsupportedOperationException(getClass().getName() + " does not publish sysmon counters");
    }

    /** Go's schedtrace line: {@code SCHED 0ms: gomaxprocs=... idleprocs=... threads=... }. */
    String schedtrace(boolean detailed);
}
