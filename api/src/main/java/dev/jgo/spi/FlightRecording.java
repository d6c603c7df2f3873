package dev.jgo.spi;

import java.io.OutputStream;

/**
 * A profiler's flight recorder behind {@code dev.jgo.prof.FlightRecorder} ({@link
 * ProfilerProvider#newFlightRecorder}); each method has the contract of the {@code
 * FlightRecorder} method of the same name. Concurrency: any thread.
 */
public interface FlightRecording {
    void start();

    void writeTo(OutputStream out);

    void stop();

    boolean enabled();
}
