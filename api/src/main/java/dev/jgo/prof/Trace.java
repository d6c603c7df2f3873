package dev.jgo.prof;

import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;

/**
 * Go's {@code runtime/trace} for every live jgo runtime of this class loader: scheduler events
 * (goroutine runs, park, unpark, steal, syscalls, P and M activity) from {@link #start} to
 * {@link #stop}, written to the stream as Chrome trace-event JSON, which Perfetto's UI and {@code
 * chrome://tracing} open. Runtimes built while a trace runs are traced too.
 *
 * <p>Every method throws {@link IllegalStateException} when no profiler module is on the class
 * path.
 */
public final class Trace {
    private Trace() {}

    /**
     * Starts tracing into {@code out}.
     *
     * @throws IllegalStateException if a trace is already running
     */
    public static void start(OutputStream out) {
        Objects.requireNonNull(out, "out");
        Profilers.get().startTrace(out);
    }

    /**
     * A flight recorder (Go 1.25's {@code trace.NewFlightRecorder}), not yet started: it keeps at
     * least the last {@code minAge} of the trace and at most {@code maxBytes} bytes of it, which
     * wins. As in Go, zero means the default: 10 seconds for {@code minAge}, 10 MiB for {@code
     * maxBytes}.
     *
     * @throws IllegalArgumentException if {@code minAge} or {@code maxBytes} is negative
     */
    public static FlightRecorder newFlightRecorder(Duration minAge, long maxBytes) {
        Objects.requireNonNull(minAge, "minAge");
        if (minAge.isNegative() || maxBytes < 0) {
            throw new IllegalArgumentException(
                    "minAge and maxBytes must not be negative, got " + minAge + " and " + maxBytes);
        }
        Duration age = minAge.isZero() ? DEFAULT_MIN_AGE : minAge;
        long bytes = maxBytes == 0 ? DEFAULT_MAX_BYTES : maxBytes;
        return new FlightRecorder(Profilers.get().newFlightRecorder(age, bytes));
    }

    /** {@link #newFlightRecorder}'s {@code minAge} when given zero (Go's default). */
    static final Duration DEFAULT_MIN_AGE = Duration.ofSeconds(10);

    /** {@link #newFlightRecorder}'s {@code maxBytes} when given zero (Go's default). */
    static final long DEFAULT_MAX_BYTES = 10L << 20;

    /**
     * Stops tracing and writes the trace; does nothing if none runs.
     *
     * @throws java.io.UncheckedIOException if writing failed (tracing is stopped anyway)
     */
    public static void stop() {
        Profilers.get().stopTrace();
    }
}
