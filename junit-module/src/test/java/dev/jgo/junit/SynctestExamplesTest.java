package dev.jgo.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.context.CancelContext;
import dev.jgo.context.Context;
import dev.jgo.sync.Chan;
import dev.jgo.time.Time;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Timeout;

/**
 * The examples of Go's {@code testing/synctest} documentation as {@link GoTest}s; docs/testing.md
 * walks through them.
 */
@Timeout(60)
class SynctestExamplesTest {

    /** The package example: sleeps of a nanosecond, and a goroutine that always runs first. */
    @GoTest
    void time() {
        Instant start = Time.now(); // always 2000-01-01T00:00:00Z
        Chan<Duration> logged = Chan.make(1);
        Go.go(() -> {
            Go.sleep(Duration.ofNanos(1));
            logged.send(Duration.between(start, Time.now()));
        });
        Go.sleep(Duration.ofNanos(2)); // the goroutine above runs before this sleep returns
        assertEquals(Duration.ofNanos(1), logged.tryRecv().value());
        assertEquals(Duration.ofNanos(2), Duration.between(start, Time.now()));
    }

    /** synctest.Wait: returns once the goroutine has finished. */
    @GoTest
    void waitForAGoroutine() {
        AtomicBoolean done = new AtomicBoolean();
        Go.go(() -> done.set(true));
        Go.awaitBlocked();
        assertTrue(done.get());
    }

    /** Example_contextWithTimeout: the context ends exactly at its deadline. */
    @GoTest
    void contextWithTimeout() {
        Duration timeout = Duration.ofSeconds(5);
        CancelContext ctx = Context.withTimeout(Context.background(), timeout);
        try {
            Go.sleep(timeout.minusNanos(1)); // just less than the timeout
            Go.awaitBlocked();
            assertNull(ctx.err(), "before the timeout");
            Go.sleep(Duration.ofNanos(1)); // the rest of the way
            Go.awaitBlocked();
            assertSame(Context.DEADLINE_EXCEEDED, ctx.err(), "after the timeout");
        } finally {
            ctx.cancel();
        }
    }

    /**
     * Example_contextAfterFunc, with a goroutine waiting on {@code done()} in place of {@code
     * context.AfterFunc}: it runs only once the context is cancelled.
     */
    @GoTest
    void contextAfterCancel() {
        CancelContext ctx = Context.withCancel(Context.background());
        AtomicBoolean called = new AtomicBoolean();
        Go.go(() -> {
            ctx.done().recvOk();
            called.set(true);
        });
        Go.awaitBlocked();
        assertFalse(called.get(), "before cancel");
        ctx.cancel();
        Go.awaitBlocked();
        assertTrue(called.get(), "after cancel");
    }
}
