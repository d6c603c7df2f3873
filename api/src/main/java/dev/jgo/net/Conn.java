package dev.jgo.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * A TCP connection (Go's {@code net.Conn}). One goroutine may read while another writes; deadlines
 * are absolute and apply to calls in progress as well as later ones (Go's semantics).
 */
public interface Conn extends AutoCloseable {

    /**
     * Reads into {@code dst}, parking until at least one byte is available. Returns the count, or
     * -1 at end of stream (0 only if {@code dst} has no room).
     *
     * @throws java.net.SocketTimeoutException if the read deadline passes
     * @throws java.net.SocketException if the connection is closed, also while waiting
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes all of {@code src}, parking while the socket buffer is full. Returns the count.
     *
     * @throws java.net.SocketTimeoutException if the write deadline passes
     * @throws java.net.SocketException if the connection is closed, also while waiting
     */
    int write(ByteBuffer src) throws IOException;

    /** Sets the read and write deadlines; null clears them. */
    void setDeadline(Instant t);

    /** Sets the read deadline; null clears it. */
    void setReadDeadline(Instant t);

    /** Sets the write deadline; null clears it. */
    void setWriteDeadline(Instant t);

    /** Half-closes the write side (the peer reads end of stream). */
    void closeWrite() throws IOException;

    /** The local address. */
    InetSocketAddress localAddress();

    /** The peer's address. */
    InetSocketAddress remoteAddress();

    /** Closes the connection; goroutines blocked in it throw. Idempotent. */
    @Override
    void close();
}
