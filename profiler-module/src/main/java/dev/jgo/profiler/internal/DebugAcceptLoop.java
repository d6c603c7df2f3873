package dev.jgo.profiler.internal;

import dev.jgo.Go;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The accept loop of {@link DebugHttpServer}: a port of the loop in Go's {@code
 * net/http.(*Server).Serve}. The rule is jgo-netpoll's {@code AcceptLoop}, which this module
 * (API only) cannot depend on:
 *
 * <ol>
 *   <li>Only a closed listener (Go's {@code net.ErrClosed}, text "use of closed network
 *       connection") ends the loop; any other I/O error (EMFILE, ENFILE, ECONNABORTED, ...) is
 *       retried after 5 ms, doubling up to 1 s, reset by a success.
 *   <li>A burst of failures is logged once, to the {@link System.Logger} {@value
 *       DebugHttpServer#LOGGER}; it ends after 5 s without failures (at the descriptor limit,
 *       accepts succeed and fail in turn as connections close).
 *   <li>Logging is best-effort and prepared before the first accept: a formatter that opens a file
 *       under EMFILE must not end the server.
 *   <li>A {@link RuntimeException} or {@link Error} ends the loop with it.
 * </ol>
 */
final class DebugAcceptLoop {
    static final Duration MIN_DELAY = Duration.ofMillis(5);
    static final Duration MAX_DELAY = Duration.ofSeconds(1);
    /** Time without accept errors that ends a burst, and so allows the next warning. */
    static final Duration BURST_QUIET = Duration.ofSeconds(5);

    private DebugAcceptLoop() {}

    /**
     * Accepts from {@code l} until it is closed or {@code closing} says so, handing each connection
     * to {@code onConn} in the accepting goroutine. Concurrency: the accepting goroutine.
     */
    static void serve(Listener l, BooleanSupplier closing, Consumer<Conn> onConn) {
        // What the first log record reads from files (the formatter's time-zone database), now,
        // while descriptors are free: a warning about EMFILE must not fail for want of one.
        System.Logger log = System.getLogger(DebugHttpServer.LOGGER);
        ZoneId.systemDefault();
        Duration delay = Duration.ZERO;
        long lastFailure = 0; // System.nanoTime() of the burst's last failure; 0: no burst
        long failures = 0; // in the burst
        while (!closing.getAsBoolean()) {
            Conn c;
            try {
                c = l.accept();
            } catch (IOException e) {
                if (closing.getAsBoolean() || isClosed(e)) {
                    return;
                }
                // Invariant: only a closed listener ends the loop; any other I/O error is retried.
                delay = delay.isZero() ? MIN_DELAY : delay.multipliedBy(2);
                delay = delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
                long now = System.nanoTime();
                if (lastFailure == 0 || now - lastFailure > BURST_QUIET.toNanos()) {
                    failures = 0;
                    log(
                            log,
                            Level.WARNING,
                            "debug server: accept error on " + l + ": " + e.getMessage()
                                    + "; retrying with back-off from " + MIN_DELAY.toMillis() + " ms up to "
                                    + MAX_DELAY.toMillis() + " ms");
                }
                lastFailure = now;
                failures++;
                backoff(delay);
                continue;
            }
            if (!delay.isZero()) {
                log(log, Level.DEBUG, "debug server: accepting again after " + failures + " errors");
                delay = Duration.ZERO;
            }
            onConn.accept(c);
        }
    }

    /** Logs best-effort: a logging backend that fails (no descriptor for a file) must not end the server. */
    static void log(System.Logger log, Level level, String msg) {
        try {
            log.log(level, msg);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError v) {
                throw v; // out of memory or a JVM fault: not the logger's
            }
            // otherwise nothing to report it to: the server matters more than its log
        }
    }

    /** Parks for {@code d}: {@code Go.sleep}, or without the timer module a sleep in {@code Go.blocking}. */
    private static void backoff(Duration d) {
        try {
            Go.sleep(d);
        } catch (IllegalStateException noTimerModule) {
            Go.blocking(() -> {
                Thread.sleep(d);
                return null;
            });
        }
    }

    /** Whether {@code e} says the socket was closed (Go: {@code errors.Is(err, net.ErrClosed)}). */
    static boolean isClosed(IOException e) {
        return e instanceof SocketException
                && e.getMessage() != null
                && e.getMessage().contains("use of closed network connection");
    }
}
