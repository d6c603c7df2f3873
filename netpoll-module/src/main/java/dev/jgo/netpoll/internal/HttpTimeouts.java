package dev.jgo.netpoll.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The timeouts of {@link HelloHttpServer}, Go's {@code http.Server.ReadHeaderTimeout}, {@code
 * IdleTimeout} and {@code WriteTimeout}:
 *
 * <ul>
 *   <li>{@code readHeader}: how long a request head may take, an absolute deadline from its first
 *       byte (from the accept for a connection's first request), however slowly its bytes come;
 *   <li>{@code idle}: how long a keep-alive connection may wait for the next request, and how long
 *       a request body may go without a byte. It is kept lazily (the deadline moves at most once
 *       per {@link #idleSlack()}), so an idle connection closes between {@code idle - idleSlack}
 *       and {@code idle} after its last byte.
 *   <li>{@code write}: how long the answers to the requests of one read may take to write, from
 *       the read (Go sets it when a request head has been read), so a client that sends and
 *       never reads cannot hold a connection and its goroutine with a blocked write. Kept lazily
 *       as the idle deadline is ({@link #writeSlack()}): a write is cut between {@code write -
 *       writeSlack} and {@code write} after its request. {@link EchoServer} uses it too, from
 *       each read.
 * </ul>
 *
 * Go's defaults are no timeouts; a server that keeps serving needs them: 10 s, 60 s and 30 s here.
 */
public record HttpTimeouts(Duration readHeader, Duration idle, Duration write) {
    /** The write timeout when none is given: 30 s. */
    public static final Duration DEFAULT_WRITE = Duration.ofSeconds(30);

    /** 10 s to read a head, 60 s idle, 30 s to write. */
    public static final HttpTimeouts DEFAULT =
            new HttpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), DEFAULT_WRITE);

    /** @throws IllegalArgumentException if a timeout is not positive */
    public HttpTimeouts {
        Objects.requireNonNull(readHeader, "readHeader");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(write, "write");
        if (readHeader.isNegative()
                || readHeader.isZero()
                || idle.isNegative()
                || idle.isZero()
                || write.isNegative()
                || write.isZero()) {
            throw new IllegalArgumentException(
                    "timeouts must be positive: read-header " + readHeader + ", idle " + idle + ", write " + write);
        }
    }

    /** The read-header and idle timeouts, and the default write timeout ({@link #DEFAULT_WRITE}). */
    public HttpTimeouts(Duration readHeader, Duration idle) {
        this(readHeader, idle, DEFAULT_WRITE);
    }

    /** How far the write deadline may lag behind: an eighth of it, at most 1 s. */
    Duration writeSlack() {
        Duration d = write.dividedBy(8);
        return d.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : d;
    }

    /** How far the idle deadline may lag behind: an eighth of it, at most 1 s. */
    Duration idleSlack() {
        Duration d = idle.dividedBy(8);
        return d.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : d;
    }
}
