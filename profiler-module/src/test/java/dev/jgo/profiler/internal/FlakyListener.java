package dev.jgo.profiler.internal;

import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** A listener whose next {@code accept}s fail on purpose before the real ones (EMFILE and the like). */
final class FlakyListener implements Listener {
    private final Listener delegate;
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile Supplier<? extends Exception> failure;

    FlakyListener(Listener delegate) {
        this.delegate = delegate;
    }

    /** The next {@code n} accepts throw what {@code f} makes, each at once. */
    FlakyListener failNext(int n, Supplier<? extends Exception> f) {
        failure = f;
        failuresLeft.set(n);
        return this;
    }

    int failuresLeft() {
        return Math.max(0, failuresLeft.get());
    }

    @Override
    public Conn accept() throws IOException {
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            Exception e = failure.get();
            if (e instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) e;
        }
        return delegate.accept();
    }

    @Override
    public int port() {
        return delegate.port();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "Flaky" + delegate;
    }
}
