package dev.jgo.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.LongSupplier;

/**
 * A global-queue interval self-tuned toward one global-queue check every {@link #TARGET_NANOS}
 * (200 µs), as Tokio's worker does; the other knobs are Go's (runnext with time-slice
 * inheritance, 10 ms slice, operation budget 128).
 *
 * <h2>Design note: measuring without the scheduler's help</h2>
 *
 * The scheduler asks {@link #globalQueueInterval()} once per schedule and passes neither a P nor a
 * clock reading, so the policy measures the only thing it sees: the time between its own calls on
 * one carrier thread, which is one goroutine's run plus one pass of the schedule loop, that is the
 * mean task time as Tokio defines it. Reading the clock on every call would cost more than the
 * decision is worth, so:
 *
 * <ol>
 *   <li>Each carrier thread maps to a stripe ({@code threadId & (STRIPES - 1)}); a stripe holds
 *       a call count, the clock at the last sample, the mean time per call and the interval.
 *   <li>Every {@code samplePeriod}-th call on a stripe reads the clock; the time since the last
 *       sample over {@code samplePeriod} is one sample of the mean, capped at {@link
 *       #TARGET_NANOS} (a longer sample already yields the minimum interval; the cap keeps a
 *       carrier's idle park between two calls from pinning the mean high for long).
 *   <li>The mean is an exponentially weighted moving average with weight 1/8 per sample; the
 *       interval is {@code clamp(TARGET_NANOS / mean, 2, 127)} (Tokio's bounds), stored for the
 *       calls until the next sample.
 * </ol>
 *
 * <p>Rejected: one shared counter and clock (every P's calls would contend on one cache line,
 * and the mean would shrink with the number of Ps); a {@code ThreadLocal} (a hash lookup per
 * schedule, and the thread-identity hazard of code run inside a goroutine).
 *
 * <p>Concurrency: any thread. Two carriers that share a stripe race on its plain-valued fields;
 * every field is read and written with opaque accesses, so no value is torn, and a lost update
 * only blurs the estimate. Whatever the race, the interval read is one that was computed with
 * the clamp, or the initial 61. No allocation after construction.
 */
final class TunedFairnessPolicy implements FairnessPolicy {
    /** The time between two global-queue checks the interval aims at (Tokio: 200 µs). */
    static final long TARGET_NANOS = 200_000;

    /** The smallest interval answered (Tokio: 2). */
    static final int MIN_INTERVAL = 2;

    /** The largest interval answered (Tokio: 127). */
    static final int MAX_INTERVAL = 127;

    /** The interval before the first measurement: Go's 61. */
    static final int INITIAL_INTERVAL = 61;

    /** Calls between two clock readings on a stripe, by default. */
    static final int DEFAULT_SAMPLE_PERIOD = 16;

    /** Stripes; carriers beyond this many share them. A power of two. */
    static final int STRIPES = 64;

    // Layout of one stripe in the long[] (8 longs = 64 bytes, so stripes do not share a line
    // except at the array's ends).
    private static final int CALLS = 0;
    private static final int LAST = 1;
    private static final int MEAN = 2;
    private static final int INTERVAL = 3;
    private static final int STRIDE = 8;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] stripes = new long[(STRIPES + 2) * STRIDE]; // one padding stripe each end
    private final LongSupplier clock;
    private final int samplePeriod;

    TunedFairnessPolicy() {
        this(System::nanoTime, DEFAULT_SAMPLE_PERIOD);
    }

    /**
     * For tests: an injected clock, and a sample period (a power of two).
     *
     * @throws IllegalArgumentException if {@code samplePeriod} is not a power of two
     */
    TunedFairnessPolicy(LongSupplier clock, int samplePeriod) {
        if (samplePeriod < 1 || Integer.bitCount(samplePeriod) != 1) {
            throw new IllegalArgumentException("samplePeriod must be a power of two, got " + samplePeriod);
        }
        this.clock = clock;
        this.samplePeriod = samplePeriod;
        for (int s = 0; s < STRIPES; s++) {
            stripes[base(s) + INTERVAL] = INITIAL_INTERVAL; // published by the final field freeze
        }
    }

    private static int base(int stripe) {
        return (stripe + 1) * STRIDE;
    }

    /** {@code clamp(TARGET_NANOS / meanNanos, MIN_INTERVAL, MAX_INTERVAL)}. */
    static int intervalFor(long meanNanos) {
        if (meanNanos <= 0) {
            return MAX_INTERVAL;
        }
        long i = TARGET_NANOS / meanNanos;
        return (int) Math.max(MIN_INTERVAL, Math.min(MAX_INTERVAL, i));
    }

    // ---- accessors: opaque, publishing no other data (see the class note) ----

    private long getOpaque(int i) {
        return (long) SLOT.getOpaque(stripes, i);
    }

    private void setOpaque(int i, long v) {
        SLOT.setOpaque(stripes, i, v);
    }

    @Override
    public String name() {
        return "tuned";
    }

    /** Concurrency: any thread; see the class note. */
    @Override
    public int globalQueueInterval() {
        return intervalOn((int) Thread.currentThread().threadId() & (STRIPES - 1));
    }

    /** One call on {@code stripe}: count it, sample every {@code samplePeriod} calls, answer. */
    int intervalOn(int stripe) {
        int b = base(stripe);
        long calls = getOpaque(b + CALLS) + 1;
        setOpaque(b + CALLS, calls);
        if ((calls & (samplePeriod - 1)) == 0) {
            long now = clock.getAsLong();
            long last = getOpaque(b + LAST);
            setOpaque(b + LAST, now);
            if (last != 0) {
                long sample = Math.min(Math.max(0, now - last) / samplePeriod, TARGET_NANOS);
                long mean = getOpaque(b + MEAN);
                mean = mean == 0 ? Math.max(1, sample) : mean + (sample - mean) / 8;
                setOpaque(b + MEAN, mean);
                int interval = intervalFor(mean);
                setOpaque(b + INTERVAL, interval);
                return interval;
            }
        }
        return (int) getOpaque(b + INTERVAL);
    }

    /** The mean time per call on {@code stripe} in nanoseconds, 0 before a measurement. For tests. */
    long meanNanos(int stripe) {
        return getOpaque(base(stripe) + MEAN);
    }

    @Override
    public boolean useRunnext() {
        return true;
    }

    @Override
    public boolean runnextInheritsTimeSlice() {
        return true;
    }

    @Override
    public long timeSliceNanos() {
        return 10_000_000L;
    }

    @Override
    public int operationBudget() {
        return 128;
    }

    @Override
    public String toString() {
        return "FairnessPolicy[tuned]";
    }
}
