package dev.jgo.spi;

import dev.jgo.GoRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * The profiler behind {@code dev.jgo.prof.Pprof} and {@code dev.jgo.prof.Trace}, found with
 * {@link java.util.ServiceLoader} (highest {@link #priority()} wins). Each method has the contract
 * of the {@code dev.jgo.prof} method of the same name; I/O failures are reported as {@link
 * java.io.UncheckedIOException}.
 */
public interface ProfilerProvider {

    /**
     * Makes {@code dev.jgo.prof} use {@code p} instead of the provider found with {@link
     * java.util.ServiceLoader}, which cannot see across bundles: jgo-profiler's Declarative
     * Services component calls this when its bundle starts. Concurrency: any thread.
     */
    static void install(ProfilerProvider p) {
        Installed.provider = java.util.Objects.requireNonNull(p, "provider");
    }

    /** Undoes {@link #install} if {@code p} is still installed. Concurrency: any thread. */
    static void uninstall(ProfilerProvider p) {
        synchronized (Installed.class) {
            if (Installed.provider == p) {
                Installed.provider = null;
            }
        }
    }

    /** The installed provider, or null. */
    static ProfilerProvider installed() {
        return Installed.provider;
    }

    /** Holder of {@link #install}'s provider. */
    final class Installed {
        private Installed() {}

        private static volatile ProfilerProvider provider;
    }

    void startCpuProfile(OutputStream out);

    void stopCpuProfile();

    void writeGoroutineProfile(OutputStream out, int debug);

    void doWithLabels(Map<String, String> labels, Runnable fn);

    void startTrace(OutputStream out);

    void stopTrace();

    /**
     * A flight recorder of {@code dev.jgo.prof.FlightRecorder}'s contract, not started; {@code
     * minAge} and {@code maxBytes} are positive (defaults already applied).
     */
    default FlightRecording newFlightRecorder(java.time.Duration minAge, long maxBytes) {
        throw new UnsupportedOperationException(getClass().getName() + " provides no flight recorder");
    }

    /**
     * Registers {@code rt}'s {@code dev.jgo.prof.JgoRuntimeMXBean}; {@code name} is the {@code
     * name} key, or null for the default naming of {@code dev.jgo.prof.Jmx}.
     */
    default dev.jgo.prof.Jmx.Registration registerMBean(GoRuntime rt, String name) {
        throw new UnsupportedOperationException(getClass().getName() + " provides no MBean");
    }

    /** Starts the debug HTTP server of {@code dev.jgo.prof.DebugServer}. */
    default dev.jgo.prof.DebugServer startDebugServer(GoRuntime rt, String host, int port) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " provides no debug server");
    }

    /** Higher wins when several providers are on the class path. */
    default int priority() {
        return 0;
    }
}
