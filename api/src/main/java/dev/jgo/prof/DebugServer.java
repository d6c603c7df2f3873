package dev.jgo.prof;

import dev.jgo.GoRuntime;
import java.io.IOException;
import java.util.Objects;

/**
 * Go's {@code net/http/pprof} for jgo: an HTTP/1.1 server run by goroutines of a runtime on jgo's
 * own network poller ({@code dev.jgo.net}, module jgo-netpoll), one goroutine per connection.
 *
 * <ul>
 *   <li>{@code /debug/pprof/} an index of the endpoints;
 *   <li>{@code /debug/pprof/profile?seconds=N} a CPU profile of N seconds (default 30), gzipped
 *       pprof;
 *   <li>{@code /debug/pprof/goroutine?debug=N} the goroutine profile, N = 0 (pprof, the
 *       default), 1 or 2 (text);
 *   <li>{@code /debug/jgo/trace?seconds=N} an execution trace of N seconds (default 1), Chrome
 *       trace-event JSON for Perfetto;
 *   <li>{@code /debug/jgo/sched} schedtrace with the per-P and per-M detail, for every live
 *       runtime.
 * </ul>
 *
 * Profiles and traces cover every live runtime of the class loader, as {@link Pprof} and {@link
 * Trace} do. {@code seconds} must be 1..3600 and {@code debug} 0..2, otherwise the answer is 400
 * with a message; an unknown path is 404; a CPU profile or trace requested while one runs is 409.
 */
public interface DebugServer extends AutoCloseable {

    /**
     * Starts serving on {@code 127.0.0.1:port} (0 picks a free port) with goroutines of {@code
     * rt}. Call it from outside the runtime or from a goroutine.
     *
     * @throws IOException if the port cannot be bound
     * @throws IllegalArgumentException if {@code port} is not 0..65535
     * @throws IllegalStateException if jgo-netpoll or the profiler module is not on the class path,
     *     or {@code rt} is closed
     */
    static DebugServer start(GoRuntime rt, int port) throws IOException {
        return start(rt, "127.0.0.1", port);
    }

    /** As {@link #start(GoRuntime, int)}, listening on {@code host} ("0.0.0.0" for every address). */
    static DebugServer start(GoRuntime rt, String host, int port) throws IOException {
        Objects.requireNonNull(rt, "rt");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        return Profilers.get().startDebugServer(rt, host, port);
    }

    /** The port it listens on. */
    int port();

    /** Stops accepting and closes open connections. Idempotent. */
    @Override
    void close();
}
