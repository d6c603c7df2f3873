package dev.jgo.spi;

import java.io.OutputStream;
import java.util.Map;

/**
 * The profiler behind {@code dev.jgo.prof.Pprof} and {@code dev.jgo.prof.Trace}, found with
 * {@link java.util.ServiceLoader} (highest {@link #priority()} wins). Each method has the contract
 * of the {@code dev.jgo.prof} method of the same name; I/O failures are reported as {@link
 * java.io.UncheckedIOException}.
 */
public interface ProfilerProvider {

    void startCpuProfile(OutputStream out);

    void stopCpuProfile();

    void writeGoroutineProfile(OutputStream out, int debug);

    void doWithLabels(Map<String, String> labels, Runnable fn);

    void startTrace(OutputStream out);

    void stopTrace();

    /** Higher wins when several providers are on the class path. */
    default int priority() {
        return 0;
    }
}
