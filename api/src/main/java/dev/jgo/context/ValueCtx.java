package dev.jgo.context;

import dev.jgo.sync.RecvChan;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Go's {@code valueCtx}: one key-value pair over a parent; everything else is the parent's. */
final class ValueCtx implements Context {
    private final Context parent;
    private final Object key;
    private final Object val;

    ValueCtx(Context parent, Object key, Object val) {
        this.parent = parent;
        this.key = key;
        this.val = val;
    }

    @Override
    public RecvChan<?> done() {
        return owner().done();
    }

    @Override
    public Throwable err() {
        return owner().err();
    }

    /** The nearest ancestor that is not a ValueCtx: it carries done and err (no recursion). */
    private Context owner() {
        Context c = parent;
        while (c instanceof ValueCtx v) {
            c = v.parent;
        }
        return c;
    }

    @Override
    public Optional<Instant> deadline() {
        return deadlineOf(parent);
    }

    /**
     * The deadline of {@code c}, skipping without recursion the contexts of this package that
     * only inherit theirs. Concurrency: any thread.
     */
    static Optional<Instant> deadlineOf(Context c) {
        for (; ; ) {
            if (c instanceof ValueCtx v) {
                c = v.parent;
            } else if (c instanceof CancelCtx cc && !(c instanceof TimerCtx)) {
                c = cc.parent;
            } else {
                return c.deadline();
            }
        }
    }

    /** Port of context.value: walks up without recursion (a long chain does not grow the stack). */
    @Override
    public Object value(Object k) {
        Objects.requireNonNull(k, "nil key");
        return lookup(this, k);
    }

    /**
     * Port of context.value: the walk over the contexts this package knows, up to the first
     * binding of {@code key} (or the nearest CancelCtx for {@link CancelCtx#KEY}), handing over
     * to a context written elsewhere.
     *
     * <p>Concurrency: any thread.
     */
    static Object lookup(Context c, Object key) {
        for (; ; ) {
            if (c instanceof ValueCtx v) {
                if (v.key.equals(key)) {
                    return v.val; // may be null: shadows an outer binding
                }
                c = v.parent;
            } else if (c instanceof CancelCtx cc) {
                if (key == CancelCtx.KEY) {
                    return cc;
                }
                c = cc.parent;
            } else {
                return c.value(key);
            }
        }
    }

    @Override
    public String toString() {
        return parent + ".WithValue(" + key + ", " + val + ")";
    }
}
