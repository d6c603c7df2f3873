package dev.jgo.context;

import dev.jgo.sync.RecvChan;
import dev.jgo.time.Time;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * Go's {@code context.Context}: carries a cancellation signal, a deadline and request-scoped
 * values across API boundaries and goroutines. Contexts form a tree: cancelling one cancels every
 * context derived from it.
 *
 * <pre>{@code
 * CancelContext ctx = Context.withTimeout(Context.background(), Duration.ofSeconds(1));
 * try {
 *     Select.create()
 *         .recv(results, r -> use(r))
 *         .recv(ctx.done(), v -> giveUp(ctx.err())) // Context.DEADLINE_EXCEEDED after 1 s
 *         .select();
 * } finally {
 *     ctx.cancel(); // releases the timer and detaches ctx from its parent
 * }
 * }</pre>
 *
 * <p>The factories that make a timer ({@link #withTimeout}, {@link #withDeadline}) and those
 * whose parent is a user-written context with its own {@code done()} channel (which costs a
 * watcher goroutine) must be called from a goroutine; the others, and every method of the
 * contexts they return, may be called from any thread. Implementations written by users must be
 * safe for use by many goroutines at once.
 *
 * <p>See {@link CancelContext} for how cancellation travels down the tree.
 */
public interface Context {

    /** Go's {@code context.Canceled}: {@link #err()} of a context that was cancelled. */
    CancellationException CANCELED = new ContextError("context canceled");

    /** Go's {@code context.DeadlineExceeded}: {@link #err()} once the deadline has passed. */
    CancellationException DEADLINE_EXCEEDED = new ContextError("context deadline exceeded");

    /**
     * A channel closed when this context is cancelled or its deadline passes, never sent on; a
     * receive case on it in a {@link dev.jgo.sync.Select} waits for that. A context that can never
     * be cancelled returns {@link dev.jgo.sync.Chan#nil()}, whose case is never ready.
     */
    RecvChan<?> done();

    /**
     * Null while {@link #done()} is open; once it is closed, why: {@link #CANCELED} or {@link
     * #DEADLINE_EXCEEDED} (compared by identity).
     */
    Throwable err();

    /** When this context will be cancelled by its deadline, if it has one. */
    Optional<Instant> deadline();

    /**
     * The value bound to {@code key} (compared with {@code equals}) by the nearest {@link
     * #withValue} on the path to the root, or null. A null value shadows an outer one.
     *
     * @throws NullPointerException if {@code key} is null
     */
    Object value(Object key);

    /** Go's {@code context.Background()}: never cancelled, no deadline, no values; the root. */
    static Context background() {
        return EmptyContext.BACKGROUND;
    }

    /** Go's {@code context.TODO()}: as {@link #background()}, marking code not yet given one. */
    static Context todo() {
        return EmptyContext.TODO;
    }

    /**
     * Go's {@code context.WithCancel}: a child of {@code parent} cancelled by its {@link
     * CancelContext#cancel()} or when {@code parent} is.
     *
     * @throws NullPointerException if {@code parent} is null ("cannot create context from nil
     *     parent")
     */
    static CancelContext withCancel(Context parent) {
        CancelCtx c = new CancelCtx(checkParent(parent));
        CancelCtx.propagateCancel(parent, c);
        return c;
    }

    /**
     * Go's {@code context.WithTimeout}: {@code withDeadline(parent, now + d)}. Call from a
     * goroutine.
     */
    static CancelContext withTimeout(Context parent, Duration d) {
        Objects.requireNonNull(d, "duration");
        Instant now = Time.now();
        Instant t;
        try {
            t = now.plus(d);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            t = d.isNegative() ? Instant.MIN : Instant.MAX; // saturate
        }
        return withDeadline(parent, t);
    }

    /**
     * Go's {@code context.WithDeadline}: a child of {@code parent} also cancelled, with {@link
     * #DEADLINE_EXCEEDED}, at {@code t}. If the parent's deadline is earlier the child simply
     * inherits it (a child never outlives its parent's deadline). The deadline is a timer of the
     * runtime (no thread); call from a goroutine.
     */
    static CancelContext withDeadline(Context parent, Instant t) {
        checkParent(parent);
        Objects.requireNonNull(t, "deadline");
        return TimerCtx.withDeadline(parent, t);
    }

    /**
     * Go's {@code context.WithValue}: a child of {@code parent} whose {@link #value} returns
     * {@code value} for {@code key}.
     *
     * @throws NullPointerException if {@code parent} or {@code key} is null
     */
    static Context withValue(Context parent, Object key, Object value) {
        checkParent(parent);
        Objects.requireNonNull(key, "nil key");
        return new ValueCtx(parent, key, value);
    }

    /**
     * Go's {@code context.Cause}: why {@code c} was cancelled, as recorded by the nearest
     * cancellable context on its path to the root (the error of the cancellation that reached
     * it), else {@code c.err()}; null while {@code c} is live.
     */
    static Throwable cause(Context c) {
        Objects.requireNonNull(c, "context");
        if (c.value(CancelCtx.KEY) instanceof CancelCtx cc) {
            return cc.cause();
        }
        return c.err();
    }

    private static Context checkParent(Context parent) {
        return Objects.requireNonNull(parent, "cannot create context from nil parent");
    }
}
