package dev.jgo.netpoll.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The read timeouts of {@link HelloHttpServer}, Go's {@code http.Server.ReadHeaderTimeout} and
 * {@code IdleTimeout}:
 *
 * <ul>
 *   <li>{@code readHeader}: how long a request head may take, an absolute deadline from its first
 *       byte (from the accept for a connection's first request), however slowly its bytes come;
 *   <li>{@code idle}: how long a keep-alive connection may wait for the next request, and how long
 *       a request body may go without a byte. It is kept lazily (the deadline moves at most once
 *       per {@link #idleSlack()}), so an idle connection closes between {@code idle - idleSlack}
 *       and {@code idle} after its last byte.
 * </ul>
 *
 * Go's defaults are no timeouts; a server that keeps serving needs them: 10 s and 60 s here.
 */
public record HttpTimeouts(Duration readHeader, Duration idle) {
    /** 10 s to read a head, 60 s idle. */
    public static final HttpTimeouts DEFAULT = new HttpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60));

    /** @throws IllegalArgumentException if a timeout is not positive */
    public HttpTimeouts {
        Objects.requireNonNull(readHeader, "readHeader");
        Objects.requireNonNull(idle, "idle");
        if (readHeader.isNegative() || readHeader.isZero() || idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException(
                    "timeouts must be positive: read-header " + readHeader + ", idle " + idle);
        }
    }

    /** How far the idle deadline may lag behind: an eighth of it, at most 1 s. */
    Duration idleSlack() {
        Duration d = idle.dividedBy(8);
        return d.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : d;
    }
}
