package dev.jgo.context;

import dev.jgo.sync.RecvChan;
import java.time.Instant;
import java.util.Optional;

/** Go's test type {@code otherContext}: a user-written context delegating everything. */
record OtherContext(Context c) implements Context {
    @Override
    public RecvChan<?> done() {
        return c.done();
    }

    @Override
    public Throwable err() {
        return c.err();
    }

    @Override
    public Optional<Instant> deadline() {
        return c.deadline();
    }

    @Override
    public Object value(Object key) {
        return c.value(key);
    }
}
