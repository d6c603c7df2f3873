package dev.jgo.profiler.internal;

import dev.jgo.GoRuntime;
import dev.jgo.prof.DebugServer;
import dev.jgo.prof.Jmx;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.ProfilerProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The {@link ProfilerProvider} behind {@code dev.jgo.prof}: at most one CPU profile and one
 * execution trace at a time, process-wide, as in Go.
 *
 * <p>The CPU sampling rate is {@link CpuProfiler#DEFAULT_HZ} unless the system property {@code
 * jgo.cpuprofile.hz} or {@link #setCpuProfileRate} says otherwise (Go's {@code
 * runtime.SetCPUProfileRate}).
 *
 * <p>Concurrency: any thread; start and stop are serialised on this object.
 */
public final class JgoProfiler implements ProfilerProvider {
    private static volatile int hz = Integer.getInteger("jgo.cpuprofile.hz", CpuProfiler.DEFAULT_HZ);

    private CpuProfiler cpu;
    private Tracer trace;

    /** Public for {@link java.util.ServiceLoader}. */
    public JgoProfiler() {}

    /** DS activation (OSGI-INF/dev.jgo.profiler.xml): {@code dev.jgo.prof} uses this provider. */
    public void activate() {
        ProfilerProvider.install(this);
    }

    /** DS deactivation (bundle stop): a running CPU profile is stopped, then uninstalled. */
    public void deactivate() {
        try {
            stopCpuProfile();
        } finally {
            ProfilerProvider.uninstall(this);
        }
    }

    /** Sets the sampling rate of CPU profiles started from now on (1..10000 Hz). */
    public static void setCpuProfileRate(int rate) {
        if (rate < 1 || rate > 10_000) {
            throw new IllegalArgumentException("CPU profile rate must be 1..10000 Hz, got " + rate);
        }
        hz = rate;
    }

    @Override
    public synchronized void startCpuProfile(OutputStream out) {
        Objects.requireNonNull(out, "out");
        if (cpu != null) {
            throw new IllegalStateException("cpu profiling already in use");
        }
        CpuProfiler p = new CpuProfiler(out, hz);
        p.start();
        cpu = p;
    }

    @Override
    public synchronized void stopCpuProfile() {
        CpuProfiler p = cpu;
        if (p == null) {
            return;
        }
        cpu = null; // stopped even if writing fails
        p.stop();
    }

    @Override
    public void writeGoroutineProfile(OutputStream out, int debug) {
        Objects.requireNonNull(out, "out");
        try {
            GoroutineProfile.write(out, debug);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the goroutine profile failed", e);
        }
    }

    /** Go's {@code pprof.Do}: the labels are merged into the goroutine's, then restored. */
    @Override
    public void doWithLabels(Map<String, String> labels, Runnable fn) {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(fn, "fn");
        Carrier c = Carrier.currentOrNull();
        if (c == null) {
            throw new IllegalStateException("Pprof.doWithLabels must be called from a goroutine");
        }
        Map<String, String> old = c.labels();
        TreeMap<String, String> merged = old == null ? new TreeMap<>() : new TreeMap<>(old);
        for (Map.Entry<String, String> e : labels.entrySet()) {
            merged.put(
                    Objects.requireNonNull(e.getKey(), "label key"),
                    Objects.requireNonNull(e.getValue(), "label value"));
        }
        c.setLabels(Collections.unmodifiableMap(merged));
        try {
            fn.run();
        } finally {
            Carrier.current().setLabels(old); // fn may have moved the goroutine to another carrier
        }
    }

    @Override
    public Jmx.Registration registerMBean(GoRuntime rt, String name) {
        return RuntimeMBean.register(rt, name);
    }

    @Override
    public DebugServer startDebugServer(GoRuntime rt, String host, int port) throws IOException {
        return DebugHttpServer.start(rt, host, port);
    }

    @Override
    public dev.jgo.spi.FlightRecording newFlightRecorder(java.time.Duration minAge, long maxBytes) {
        return new JgoFlightRecorder(minAge, maxBytes);
    }

    @Override
    public synchronized void startTrace(OutputStream out) {
        Objects.requireNonNull(out, "out");
        if (trace != null) {
            throw new IllegalStateException("tracing is already enabled");
        }
        Tracer t = new Tracer(out);
        t.start();
        trace = t;
    }

    @Override
    public synchronized void stopTrace() {
        Tracer t = trace;
        if (t == null) {
            return;
        }
        trace = null;
        t.stop();
    }
}
