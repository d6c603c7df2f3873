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
        return parent.done();
    }

    @Override
    public Throwable err() {
        return parent.err();
    }

    @Override
    public Optional<Instant> deadline() {
        return parent.deadline();
    }

    /** Port of context.value: walks up without recursion (a long chain does not grow the stack). */
    @Override
    public Object value(Object k) {
        Objects.requireNonNull(k, "nil key");
        Context c = this;
        while (c instanceof ValueCtx v) {
            if (v.key.equals(k)) {
                return v.val; // may be null: shadows an outer binding
            }
            c = v.parent;
        }
        return c.value(k);
    }

    @Override
    public String toString() {
        return parent + ".WithValue(" + key + ", " + val + ")";
    }
}
