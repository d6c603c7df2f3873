package dev.jgo.context;

import dev.jgo.sync.Chan;
import dev.jgo.sync.RecvChan;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Go's {@code emptyCtx}: {@link Context#background()} and {@link Context#todo()}. */
final class EmptyContext implements Context {
    static final EmptyContext BACKGROUND = new EmptyContext("context.Background");
    static final EmptyContext TODO = new EmptyContext("context.TODO");

    private final String name;

    private EmptyContext(String name) {
        this.name = name;
    }

    @Override
    public RecvChan<?> done() {
        return Chan.nil();
    }

    @Override
    public Throwable err() {
        return null;
    }

    @Override
    public Optional<Instant> deadline() {
        return Optional.empty();
    }

    @Override
    public Object value(Object key) {
        Objects.requireNonNull(key, "nil key");
        return null;
    }

    @Override
    public String toString() {
        return name;
    }
}
