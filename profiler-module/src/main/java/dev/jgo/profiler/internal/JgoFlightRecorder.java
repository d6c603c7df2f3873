package dev.jgo.profiler.internal;

import dev.jgo.DeadlockException;
import dev.jgo.GoRuntime;
import dev.jgo.spi.FlightRecording;
import dev.jgo.spi.RuntimeRegistry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The flight recorder behind {@code dev.jgo.prof.FlightRecorder}: a {@link Tracer} whose buffers
 * are rings ({@link TraceRetention}), started and stopped as often as asked, written while it
 * records.
 *
 * <p>Running recorders are listed process-wide, newest last: the debug server's {@code
 * /debug/jgo/flightrecorder} and the dump on a deadlock ({@value #DUMP_PROPERTY}) write the
 * newest one's window.
 *
 * <p>Concurrency: any thread; start, stop and writeTo are serialised on this object.
 */
final class JgoFlightRecorder implements FlightRecording {
    /** The system property naming the file a deadlock's flight recording is written to. */
    static final String DUMP_PROPERTY = "jgo.flightrecorder.dump";

    private static final System.Logger LOG = System.getLogger("dev.jgo");

    /** Started and not stopped, oldest first. */
    private static final CopyOnWriteArrayList<JgoFlightRecorder> RUNNING = new CopyOnWriteArrayList<>();

    /** The last exception dumped: one deadlock fails every pending run with the same one. */
    private static DeadlockException lastDumped;

    /** Writes the newest running recorder's window when a run deadlocks; listens while any runs. */
    private static final RuntimeRegistry.Listener ON_DEADLOCK = new RuntimeRegistry.Listener() {
        @Override
        public void added(GoRuntime rt) {}

        @Override
        public void removed(GoRuntime rt) {}

        @Override
        public void deadlocked(GoRuntime rt, DeadlockException e) {
            dumpOnDeadlock(e);
        }
    };

    private final long minAgeNanos;
    private final long maxBytes;
    /** The recording tracer while started, else null. Guarded by this. */
    private Tracer tracer;

    JgoFlightRecorder(Duration minAge, long maxBytes) {
        if (minAge.isNegative() || minAge.isZero() || maxBytes <= 0) {
            throw new IllegalArgumentException("minAge and maxBytes must be positive");
        }
        this.minAgeNanos = minAge.toNanos();
        this.maxBytes = maxBytes;
    }

    /** The newest running recorder, or null. */
    static JgoFlightRecorder newest() {
        Object[] a = RUNNING.toArray();
        return a.length == 0 ? null : (JgoFlightRecorder) a[a.length - 1];
    }

    @Override
    public synchronized void start() {
        if (tracer != null) {
            throw new IllegalStateException("the flight recorder is already started");
        }
        Tracer t = new Tracer(minAgeNanos, maxBytes);
        t.start();
        tracer = t;
        synchronized (RUNNING) {
            if (RUNNING.isEmpty()) {
                RuntimeRegistry.addListener(ON_DEADLOCK);
            }
            RUNNING.add(this);
        }
    }

    @Override
    public synchronized void writeTo(OutputStream out) {
        Tracer t = tracer;
        if (t == null) {
            throw new IllegalStateException("the flight recorder is not started");
        }
        try {
            t.write(out, minAgeNanos, maxBytes); // the last minAge of activity
        } catch (IOException e) {
            throw new UncheckedIOException("writing the flight recording failed", e);
        }
    }

    @Override
    public synchronized void stop() {
        Tracer t = tracer;
        if (t == null) {
            return;
        }
        tracer = null;
        synchronized (RUNNING) {
            RUNNING.remove(this);
            if (RUNNING.isEmpty()) {
                RuntimeRegistry.removeListener(ON_DEADLOCK);
            }
        }
        t.stop(); // detaches; writes nothing (no output)
    }

    @Override
    public synchronized boolean enabled() {
        return tracer != null;
    }

    /**
     * Writes the newest running recorder's window to the file {@value #DUMP_PROPERTY} names, once
     * per deadlock. Concurrency: the thread whose {@code run} is about to throw {@code e}.
     */
    static void dumpOnDeadlock(DeadlockException e) {
        String file = System.getProperty(DUMP_PROPERTY);
        JgoFlightRecorder r = newest();
        if (file == null || file.isBlank() || r == null) {
            return;
        }
        synchronized (JgoFlightRecorder.class) {
            if (lastDumped == e) {
                return;
            }
            lastDumped = e;
        }
        Path p = Path.of(file);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(p))) {
            r.writeTo(out);
            LOG.log(System.Logger.Level.WARNING, "jgo: deadlock: flight recording written to " + p.toAbsolutePath());
        } catch (IOException | RuntimeException ex) {
            // stopped meanwhile, or the file cannot be written: the deadlock is reported anyway
            LOG.log(System.Logger.Level.WARNING, "jgo: deadlock: writing the flight recording to " + p + " failed", ex);
        }
    }
}
