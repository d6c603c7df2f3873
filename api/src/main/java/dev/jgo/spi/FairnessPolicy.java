package dev.jgo.spi;

/**
 * Fairness knobs of the schedule loop. Must be thread-safe and cheap: read on every schedule.
 */
public interface FairnessPolicy {

    /** Short name for reports. */
    String name();

    /** Check the global run queue first every this many schedticks (Go: 61). */
    int globalQueueInterval();

    /** Whether a readied or new goroutine goes to the P's {@code runnext} slot (Go: yes). */
    boolean useRunnext();

    /** Whether a goroutine taken from {@code runnext} inherits the time slice (Go: yes). */
    boolean runnextInheritsTimeSlice();

    /** Time slice after which sysmon asks a running goroutine to yield (Go: 10 ms). */
    long timeSliceNanos();

    /**
     * Runtime operations (channel, select, sync, timer, net) a goroutine may perform in one run
     * before it is made to yield (Tokio: 128); 0 turns the budget off.
     */
    int operationBudget();

    /**
     * Where a goroutine that yields ({@code Go.yield}, or preempted at a safe point) waits: the
     * global run queue (Go's goschedImpl: any P may pick it up next) or the tail of its own P's
     * queue (no shared queue touched per yield; other Ps still steal it). Default: global, as Go.
     */
    default boolean yieldToGlobalQueue() {
        return true;
    }

    /**
     * Go's values, except that a yielding goroutine goes to the tail of its own P's queue (see
     * {@link #yieldToGlobalQueue()}).
     */
    static FairnessPolicy localYield() {
        record LocalYield(FairnessPolicy base) implements FairnessPolicy {
            @Override
            public String name() {
                return "local-yield";
            }

            @Override
            public int globalQueueInterval() {
                return base.globalQueueInterval();
            }

            @Override
            public boolean useRunnext() {
                return base.useRunnext();
            }

            @Override
            public boolean runnextInheritsTimeSlice() {
                return base.runnextInheritsTimeSlice();
            }

            @Override
            public long timeSliceNanos() {
                return base.timeSliceNanos();
            }

            @Override
            public int operationBudget() {
                return base.operationBudget();
            }

            @Override
            public boolean yieldToGlobalQueue() {
                return false;
            }
        }
        return new LocalYield(go());
    }

    /** Go's values: 61, runnext with inheritance, 10 ms, budget 128. */
    static FairnessPolicy go() {
        return of("go", 61, true, true, 10_000_000L, 128);
    }

    /**
     * Go's values except the global-queue interval, which adapts toward one global-queue check
     * every 200 µs as Tokio's does: {@code clamp(200 µs / mean task time, 2, 127)}, the mean
     * measured by the policy itself from the time between its calls (see {@code
     * TunedFairnessPolicy}). Stateful: a new instance per call, one per runtime.
     */
    static FairnessPolicy selfTuned() {
        return new TunedFairnessPolicy();
    }

    /** A fixed policy with the given values. */
    static FairnessPolicy of(String name, int interval, boolean runnext, boolean inherit, long sliceNanos, int budget) {
        if (interval < 1) {
            throw new IllegalArgumentException("globalQueueInterval must be >= 1, got " + interval);
        }
        if (sliceNanos <= 0) {
            throw new IllegalArgumentException("timeSliceNanos must be > 0, got " + sliceNanos);
        }
        if (budget < 0) {
            throw new IllegalArgumentException("operationBudget must be >= 0, got " + budget);
        }
        record Fixed(
                String name,
                int globalQueueInterval,
                boolean useRunnext,
                boolean runnextInheritsTimeSlice,
                long timeSliceNanos,
                int operationBudget)
                implements FairnessPolicy {}
        return new Fixed(name, interval, runnext, inherit, sliceNanos, budget);
    }
}
