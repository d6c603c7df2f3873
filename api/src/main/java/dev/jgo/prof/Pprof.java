package dev.jgo.prof;

import java.io.OutputStream;
import java.util.Map;
import java.util.Objects;

/**
 * Go's {@code runtime/pprof} for every live jgo runtime of this class loader. Output streams are
 * written, flushed and left open. I/O errors surface as {@link java.io.UncheckedIOException}.
 *
 * <p>Every method throws {@link IllegalStateException} when no profiler module is on the class
 * path.
 */
public final class Pprof {
    private Pprof() {}

    /**
     * Starts the CPU profiler (Go's {@code StartCPUProfile}): samples every carrier thread running
     * goroutine or scheduler code at 100 Hz (see {@code jgo.cpuprofile.hz}); {@link
     * #stopCpuProfile()} writes a gzipped pprof profile to {@code out}.
     *
     * @throws IllegalStateException if a CPU profile is already running
     */
    public static void startCpuProfile(OutputStream out) {
        Objects.requireNonNull(out, "out");
        Profilers.get().startCpuProfile(out);
    }

    /**
     * Stops the CPU profiler and writes the profile; does nothing if none runs.
     *
     * @throws java.io.UncheckedIOException if writing failed (the profiler is stopped anyway)
     */
    public static void stopCpuProfile() {
        Profilers.get().stopCpuProfile();
    }

    /**
     * Writes the goroutine profile (Go's {@code pprof.Lookup("goroutine").WriteTo(out, debug)}):
     * {@code debug} 0 is a gzipped pprof protobuf, 1 is text with identical stacks grouped and
     * counted, 2 is every goroutine in Go's traceback format ({@code goroutine 18 [chan
     * receive]:}).
     *
     * @throws IllegalArgumentException if {@code debug} is not 0, 1 or 2
     */
    public static void writeGoroutineProfile(OutputStream out, int debug) {
        Objects.requireNonNull(out, "out");
        if (debug < 0 || debug > 2) {
            throw new IllegalArgumentException("debug must be 0, 1 or 2, got " + debug);
        }
        Profilers.get().writeGoroutineProfile(out, debug);
    }

    /**
     * Runs {@code fn} with {@code labels} added to the calling goroutine's profiler labels (Go's
     * {@code pprof.Do}); goroutines started inside inherit them. CPU samples and goroutine
     * profiles carry them. The previous labels are restored when {@code fn} returns or throws.
     *
     * @throws IllegalStateException if the caller is not a goroutine
     */
    public static void doWithLabels(Map<String, String> labels, Runnable fn) {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(fn, "fn");
        Profilers.get().doWithLabels(labels, fn);
    }
}
