package dev.jgo.prof;

import dev.jgo.spi.FlightRecording;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Go 1.25's {@code trace.FlightRecorder}: the execution trace of every live jgo runtime kept in
 * memory for the last while, written out on demand, typically when something went wrong. Made by
 * {@link Trace#newFlightRecorder}.
 *
 * <p>While started it records the same events as {@link Trace#start} into per-P ring buffers
 * that keep at least the last {@code minAge} of them and at most about {@code maxBytes}; {@link
 * #writeTo} writes that window as the same Chrome trace-event JSON as {@link Trace#stop}, at most
 * {@code maxBytes} of it: {@code maxBytes} wins over {@code minAge}, the oldest events go first.
 * It runs beside a {@link Trace} and beside other flight recorders.
 *
 * <p>When a runtime's {@link dev.jgo.GoRuntime#run} throws {@link dev.jgo.DeadlockException}
 * while a flight recorder runs and the system property {@code jgo.flightrecorder.dump} names a
 * file, the window of the most recently started running recorder is written to that file (once
 * per deadlock) before {@code run} throws. The debug server's {@code /debug/jgo/flightrecorder}
 * answers with the same window.
 *
 * <p>Concurrency: any thread; {@link #writeTo} calls are serialised.
 */
public final class FlightRecorder {
    private final FlightRecording impl;

    FlightRecorder(FlightRecording impl) {
        this.impl = impl;
    }

    /**
     * Starts recording, with empty buffers.
     *
     * @throws IllegalStateException if it is already started
     */
    public void start() {
        impl.start();
    }

    /**
     * Writes the recorded window to {@code out}, which stays open; recording goes on. The window
     * is the events of the last {@code minAge} up to the newest one (after a quiet spell, the
     * activity before it), at most {@code maxBytes} bytes of JSON: the oldest are left out first.
     *
     * @throws IllegalStateException if it is not started
     * @throws java.io.UncheckedIOException if writing failed
     */
    public void writeTo(OutputStream out) {
        Objects.requireNonNull(out, "out");
        impl.writeTo(out);
    }

    /** Stops recording and drops the buffers; does nothing if not started. */
    public void stop() {
        impl.stop();
    }

    /** Whether it is started and not stopped. */
    public boolean enabled() {
        return impl.enabled();
    }
}
