package dev.jgo.sync;

import dev.jgo.context.CancelContext;
import dev.jgo.context.Context;
import dev.jgo.spi.Carrier;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Go's {@code golang.org/x/sync/errgroup.Group}: goroutines working on subtasks of one task;
 * {@link #await()} waits for all of them and returns the first failure.
 *
 * <pre>{@code
 * ErrGroup g = ErrGroup.withContext(ctx);
 * for (String url : urls) {
 *     g.go(() -> fetch(g.context(), url)); // fetch gives up once g.context() is done
 * }
 * Throwable err = g.await(); // null if every fetch succeeded
 * }</pre>
 *
 * <p>A task fails when its {@code call()} throws; the first failure is kept (later ones are
 * dropped, as Go keeps the first error) and, for a group made by {@link #withContext}, cancels
 * the group's context. Methods that start or wait for tasks must be called from a goroutine.
 */
public final class ErrGroup {

    private static final Object TOKEN = Boolean.TRUE;

    /** Cancelled at the first failure and when await returns; null for {@code new ErrGroup()}. */
    private final CancelContext cancel;

    private final Context ctx;
    private final WaitGroup wg = new WaitGroup();
    private final AtomicReference<Throwable> err = new AtomicReference<>();

    /**
     * Go's {@code sem}: one token per running task when a limit is set, else null. Written by
     * setLimit, which must not race with go/tryGo (as in Go); read by the task goroutines after
     * the go statement that started them (published by it).
     */
    private volatile Chan<Object> sem;

    /** Go's zero {@code Group}: no limit, and {@link #context()} is {@link Context#background()}. */
    public ErrGroup() {
        this.cancel = null;
        this.ctx = Context.background();
    }

    private ErrGroup(CancelContext c) {
        this.cancel = c;
        this.ctx = c;
    }

    /**
     * Go's {@code errgroup.WithContext}: a group whose {@link #context()} is a child of {@code
     * parent}, cancelled at the first failure or when {@link #await()} returns, whichever comes
     * first.
     */
    public static ErrGroup withContext(Context parent) {
        return new ErrGroup(Context.withCancel(parent));
    }

    /** The group's context (Go returns it from {@code WithContext}). */
    public Context context() {
        return ctx;
    }

    /**
     * Go's {@code Go}: runs {@code task} in a new goroutine. With a limit set, first waits until
     * fewer than the limit of the group's tasks are running.
     */
    public void go(Callable<?> task) {
        Objects.requireNonNull(task, "task");
        Chan<Object> s = sem;
        if (s != null) {
            s.send(TOKEN);
        }
        start(task, s);
    }

    /**
     * Go's {@code TryGo}: runs {@code task} in a new goroutine only if the limit allows it now;
     * returns whether it did.
     */
    public boolean tryGo(Callable<?> task) {
        Objects.requireNonNull(task, "task");
        Chan<Object> s = sem;
        if (s != null && !s.trySend(TOKEN)) {
            return false;
        }
        start(task, s);
        return true;
    }

    private void start(Callable<?> task, Chan<Object> s) {
        wg.add(1);
        Carrier.current().go(() -> {
            try {
                task.call();
            } catch (Throwable e) {
                if (err.compareAndSet(null, e) && cancel != null) {
                    cancel.cancel();
                }
            } finally {
                if (s != null) {
                    s.recv(); // the token this task took
                }
                wg.done();
            }
        });
    }

    /**
     * Go's {@code SetLimit}: at most {@code n} tasks of this group run at once; a negative
     * {@code n} removes the limit. {@code 0} makes {@link #go} block and {@link #tryGo} fail.
     *
     * @throws IllegalStateException if tasks of the group are running ("errgroup: modify limit
     *     while N goroutines in the group are still active")
     */
    public void setLimit(int n) {
        if (n < 0) {
            sem = null;
            return;
        }
        Chan<Object> s = sem;
        if (s != null && s.len() != 0) {
            throw new IllegalStateException(
                    "errgroup: modify limit while " + s.len() + " goroutines in the group are still active");
        }
        sem = Chan.make(n);
    }

    /**
     * Go's {@code Wait}: waits until every task started by {@link #go} or {@link #tryGo} has
     * returned, cancels the group's context, and returns the first failure (the first exception
     * any task's {@code call()} threw) or null.
     */
    public Throwable await() {
        wg.await();
        if (cancel != null) {
            cancel.cancel();
        }
        return err.get();
    }
}
