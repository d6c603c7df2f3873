package dev.jgo.prof;

import java.io.OutputStream;
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
     * Stops tracing and writes the trace; does nothing if none runs.
     *
     * @throws java.io.UncheckedIOException if writing failed (tracing is stopped anyway)
     */
    public static void stop() {
        Profilers.get().stopTrace();
    }
}
