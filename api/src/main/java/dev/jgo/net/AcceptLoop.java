package dev.jgo.net;

import dev.jgo.Go;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * An accept loop that keeps serving through accept errors: a port of the loop in Go's {@code
 * net/http.(*Server).Serve}, with its back-off on temporary errors. jgo's own servers use it (the
 * example HTTP and echo servers, the debug endpoints); so can any server on {@code dev.jgo.net}:
 *
 * <pre>{@code
 * Listener l = Net.listen("127.0.0.1", 8080);
 * AcceptLoop.serve(l, "myserver", conn -> { try (conn) { ... } catch (IOException e) { ... } });
 * // returns once l is closed; each connection ran in a goroutine of its own
 * }</pre>
 *
 * <h2>Design note: which accept errors end the loop</h2>
 *
 * <p>Go's {@code Serve} sleeps and retries an accept error whose {@code Temporary()} is true
 * (EMFILE, ENFILE, ENOBUFS, ECONNABORTED) and returns any other. A Java exception carries no such
 * flag: EMFILE is a plain {@code IOException("Too many open files")}. Guessing from messages would
 * make every unguessed errno end the server, which is the fault being fixed. So the rule is
 * turned round:
 *
 * <ol>
 *   <li>A closed listener (Go's {@code net.ErrClosed}, whose text {@value #CLOSED} every closed
 *       {@code dev.jgo.net} socket reports) ends the loop: {@link #serve} returns.
 *   <li>Any other {@link IOException} is temporary: sleep ({@link #backoff}) 5 ms, doubling
 *       after each further failure up to 1 s, and accept again; a success resets the delay. A
 *       permanent fault thus costs one accept a second, not a dead server.
 *   <li>A burst of failures is logged once, at its first failure, to the {@link System.Logger}
 *       {@value #LOGGER}; the next accepted connection is logged at {@code DEBUG}. A burst ends
 *       after {@link #BURST_QUIET} without failures, not at the first success: at the descriptor
 *       limit, accepts succeed and fail in turn as connections close. Logging is best-effort and prepared before the first accept (a
 *       formatter that opens a file under EMFILE would otherwise end the server).
 *   <li>A {@link RuntimeException} or {@link Error} (a broken runtime, no memory) propagates:
 *       the server ends on an error, which its caller reports.
 * </ol>
 *
 */
public final class AcceptLoop {
    /** The logger accept failures go to. */
    public static final String LOGGER = "dev.jgo.net";

    /** The text of Go's {@code net.ErrClosed}, in every exception of a closed socket. */
    public static final String CLOSED = "use of closed network connection";

    /** First back-off delay (Go: {@code 5 * time.Millisecond}). */
    public static final Duration MIN_DELAY = Duration.ofMillis(5);

    /** Largest back-off delay (Go: {@code 1 * time.Second}). */
    public static final Duration MAX_DELAY = Duration.ofSeconds(1);

    /** Time without accept errors that ends a burst (longer than {@link #MAX_DELAY}). */
    public static final Duration BURST_QUIET = Duration.ofSeconds(5);

    private AcceptLoop() {}

    /** Whether {@code e} says the socket was closed (Go: {@code errors.Is(err, net.ErrClosed)}). */
    public static boolean isClosed(IOException e) {
        return e instanceof SocketException
                && e.getMessage() != null
                && e.getMessage().contains(CLOSED);
    }

    /** The delay after {@code prev} (zero before the first failure of a burst). */
    public static Duration nextDelay(Duration prev) {
        Duration d = prev.isZero() ? MIN_DELAY : prev.multipliedBy(2);
        return d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
    }

    /**
     * The logger, with what its first record reads from files loaded now, while descriptors are
     * free: the default formatter reads the time-zone database, and a warning about EMFILE must
     * not fail for want of a descriptor.
     */
    private static System.Logger prepareLogging(System.Logger log) {
        ZoneId.systemDefault();
        return log;
    }

    /**
     * Logs best-effort: a logging backend that fails (it could not open a file) must not end the
     * server it reports on. Concurrency: any thread.
     */
    public static void log(System.Logger log, Level level, String msg) {
        try {
            log.log(level, msg);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError v) {
                throw v; // out of memory or a JVM fault: not the logger's
            }
            // otherwise nothing to report it to: the server matters more than its log
        }
    }

    /**
     * Parks the goroutine for {@code d}: {@code Go.sleep}, or, in a runtime without the timer
     * module, a sleep inside {@code Go.blocking} (the P is handed off meanwhile). Concurrency: a
     * goroutine.
     */
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

    /**
     * Accepts until {@code l} is closed, running {@code handler} on each connection in a goroutine
     * of its own. Port of the accept loop of net/http.(*Server).Serve. Concurrency: a goroutine.
     *
     * @param name the server's name in log messages ("http", "echo")
     * @throws RuntimeException or Error if accepting fails in a way that is not an I/O error
     */
    public static void serve(Listener l, String name, Consumer<Conn> handler) {
        serve(l, name, System.getLogger(LOGGER), BURST_QUIET, () -> false, c -> Go.go(() -> handler.accept(c)));
    }

    /**
     * The loop itself: accepts until {@code l} is closed or {@code closing} says so, handing each
     * connection to {@code onConn} in the accepting goroutine; accept failures go to {@code log},
     * once per burst, and a burst ends after {@code quiet} without errors. Concurrency: a
     * goroutine.
     *
     * @param name the server's name in log messages ("http", "echo", "debug server")
     * @throws RuntimeException or Error if accepting fails in a way that is not an I/O error
     */
    public static void serve(
            Listener l,
            String name,
            System.Logger log,
            Duration quiet,
            BooleanSupplier closing,
            Consumer<Conn> onConn) {
        prepareLogging(log);
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
                delay = nextDelay(delay);
                long now = System.nanoTime();
                if (lastFailure == 0 || now - lastFailure > quiet.toNanos()) {
                    failures = 0;
                    log(
                            log,
                            Level.WARNING,
                            name + ": accept error on " + l + ": " + e.getMessage()
                                    + "; retrying with back-off from " + MIN_DELAY.toMillis()
                                    + " ms up to " + MAX_DELAY.toMillis() + " ms");
                }
                lastFailure = now;
                failures++;
                backoff(delay);
                continue;
            }
            if (!delay.isZero()) {
                log(log, Level.DEBUG, name + ": accepting again on " + l + " after " + failures + " errors");
                delay = Duration.ZERO;
            }
            onConn.accept(c);
        }
    }
}
