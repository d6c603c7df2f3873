package dev.jgo.net;

import java.io.IOException;

/** A TCP listener (Go's {@code net.Listener}). */
public interface Listener extends AutoCloseable {

    /**
     * Waits for the next connection, parking the goroutine.
     *
     * @throws java.net.SocketException if the listener is closed, also while waiting
     */
    Conn accept() throws IOException;

    /** The local port it listens on. */
    int port();

    /** Closes the listener; goroutines blocked in {@link #accept} throw. Idempotent. */
    @Override
    void close();
}
