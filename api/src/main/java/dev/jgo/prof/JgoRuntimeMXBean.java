package dev.jgo.prof;

import javax.management.ConstructorParameters;

/**
 * The management interface of one jgo runtime, registered by {@link Jmx#register} as {@code
 * dev.jgo:type=Runtime}. An MXBean: every attribute maps to JMX open types, so jconsole, VisualVM
 * and {@code javax.management.JMX#newMXBeanProxy} read it without jgo on their class path. Values
 * come from the runtime's published counters ({@link dev.jgo.spi.RuntimeView}), read without
 * stopping the world: a recent picture, not an atomic one.
 */
public interface JgoRuntimeMXBean {

    /** The runtime, as its {@code toString()} (name, GOMAXPROCS, closed). */
    String getRuntime();

    /** GOMAXPROCS. */
    int getGomaxprocs();

    /**
     * Sets GOMAXPROCS ({@code GoRuntime.gomaxprocs(n)}).
     *
     * @throws IllegalArgumentException if {@code n < 1}
     * @throws UnsupportedOperationException if the runtime cannot change it while running
     */
    void setGomaxprocs(int n);

    /** Goroutines that exist now (Go's {@code runtime.NumGoroutine}). */
    int getGoroutines();

    /** Ms (carrier threads) created and not exited. */
    int getThreads();

    int getIdleThreads();

    int getIdleProcs();

    int getSpinningThreads();

    /** Goroutines in the global run queue. */
    int getGlobalRunqSize();

    /** Scheduler counters summed over the Ps (and the Ms for spins, parks and wake-ups). */
    SchedCounters getCounters();

    /** Successful steals, summed (also in {@link #getCounters()}; flat for charts). */
    long getSteals();

    /** Goroutines moved by steals, summed. */
    long getStolenGoroutines();

    /** One entry per P, in P id order. */
    ProcStats[] getProcs();

    /** Sysmon's figures. */
    SysmonStats getSysmon();

    /**
     * Goroutines sysmon reported for keeping their P longer than {@code
     * GoRuntime.Builder.longRunWarning} without reaching a preemption point (once per such run);
     * 0 when the warning is off.
     */
    long getLongRunWarnings();

    /** Go's schedtrace text; {@code detailed} adds a line per P and per M ({@code scheddetail}). */
    String schedtrace(boolean detailed);

    /** Scheduler counters ({@link dev.jgo.spi.RuntimeView.Counters} as a JMX composite). */
    final class SchedCounters {
        private final long schedticks;
        private final long goroutinesCreated;
        private final long steals;
        private final long stolenGoroutines;
        private final long spins;
        private final long mParks;
        private final long mUnparks;
        private final long emptyWakeups;
        private final long runqOverflows;
        private final long mWakeups;
        private final long spinRounds;

        @ConstructorParameters({
            "schedticks",
            "goroutinesCreated",
            "steals",
            "stolenGoroutines",
            "spins",
            "MParks",
            "MUnparks",
            "emptyWakeups",
            "runqOverflows",
            "MWakeups",
            "spinRounds"
        })
        public SchedCounters(
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
            this.schedticks = schedticks;
            this.goroutinesCreated = goroutinesCreated;
            this.steals = steals;
            this.stolenGoroutines = stolenGoroutines;
            this.spins = spins;
            this.mParks = mParks;
            this.mUnparks = mUnparks;
            this.emptyWakeups = emptyWakeups;
            this.runqOverflows = runqOverflows;
            this.mWakeups = mWakeups;
            this.spinRounds = spinRounds;
        }

        /** From the SPI record. */
        public static SchedCounters of(dev.jgo.spi.RuntimeView.Counters c) {
            return new SchedCounters(
                    c.schedticks(),
                    c.goroutinesCreated(),
                    c.steals(),
                    c.stolenGoroutines(),
                    c.spins(),
                    c.mParks(),
                    c.mUnparks(),
                    c.emptyWakeups(),
                    c.runqOverflows(),
                    c.mWakeups(),
                    c.spinRounds());
        }

        public long getSchedticks() {
            return schedticks;
        }

        public long getGoroutinesCreated() {
            return goroutinesCreated;
        }

        public long getSteals() {
            return steals;
        }

        public long getStolenGoroutines() {
            return stolenGoroutines;
        }

        public long getSpins() {
            return spins;
        }

        public long getMParks() {
            return mParks;
        }

        public long getMUnparks() {
            return mUnparks;
        }

        public long getEmptyWakeups() {
            return emptyWakeups;
        }

        public long getRunqOverflows() {
            return runqOverflows;
        }

        /** Ms woken from a park (see {@link dev.jgo.spi.RuntimeView.Counters#mWakeups()}). */
        public long getMWakeups() {
            return mWakeups;
        }

        /** Steal-loop rounds run by spinning Ms. */
        public long getSpinRounds() {
            return spinRounds;
        }
    }

    /** One P: its id, run queue length and counters. */
    final class ProcStats {
        private final int id;
        private final int runqSize;
        private final SchedCounters counters;

        @ConstructorParameters({"id", "runqSize", "counters"})
        public ProcStats(int id, int runqSize, SchedCounters counters) {
            this.id = id;
            this.runqSize = runqSize;
            this.counters = counters;
        }

        public int getId() {
            return id;
        }

        /** Goroutines in its local run queue, {@code runnext} included. */
        public int getRunqSize() {
            return runqSize;
        }

        public SchedCounters getCounters() {
            return counters;
        }
    }

    /** Sysmon's figures ({@link dev.jgo.spi.RuntimeView.SysmonCounters}). */
    final class SysmonStats {
        private final long retakes;
        private final long preemptions;
        private final long autoHandoffs;
        private final long overdueTimerWakes;

        @ConstructorParameters({"retakes", "preemptions", "autoHandoffs", "overdueTimerWakes"})
        public SysmonStats(long retakes, long preemptions, long autoHandoffs, long overdueTimerWakes) {
            this.retakes = retakes;
            this.preemptions = preemptions;
            this.autoHandoffs = autoHandoffs;
            this.overdueTimerWakes = overdueTimerWakes;
        }

        /** Ps retaken from Ms in blocking calls. */
        public long getRetakes() {
            return retakes;
        }

        /** Goroutines asked to yield after a full time slice. */
        public long getPreemptions() {
            return preemptions;
        }

        /** Ps handed off from carriers blocked in unannotated calls. */
        public long getAutoHandoffs() {
            return autoHandoffs;
        }

        /** Ms woken for overdue timers. */
        public long getOverdueTimerWakes() {
            return overdueTimerWakes;
        }
    }
}
