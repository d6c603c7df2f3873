package dev.jgo.netpoll.internal;

import dev.jgo.net.Conn;
import java.time.Instant;

/**
 * The read deadline of one {@link HelloHttpServer} connection, from its {@link HttpTimeouts}:
 * the absolute read-header deadline of the request being read, or the idle deadline between
 * requests and while a body is skipped.
 *
 * <p>Setting a deadline costs a lock and a heap operation in the poller, too much for every
 * request of a busy keep-alive connection. So a header deadline is set only when a read leaves
 * a partial head behind (a head that arrives whole needs none), and the idle deadline moves only
 * when it has fallen more than {@link HttpTimeouts#idleSlack()} behind. Concurrency: the
 * connection's goroutine only.
 */
final class ReadDeadline {
    private static final int NONE = 0;
    private static final int HEADER = 1;
    private static final int IDLE = 2;

    private final Conn conn;
    private final long headerNs;
    private final long idleNs;
    private final long slackNs;

    /** Which deadline is set. */
    private int kind = NONE;
    /** {@link System#nanoTime} at which the idle deadline was last set. */
    private long idleSetAt;

    ReadDeadline(Conn conn, HttpTimeouts t) {
        this.conn = conn;
        this.headerNs = t.readHeader().toNanos();
        this.idleNs = t.idle().toNanos();
        this.slackNs = t.idleSlack().toNanos();
    }

    /**
     * A request head started at {@code start} ({@link System#nanoTime}) and is not complete: its
     * deadline is {@code start + readHeader}, set once, however many reads the head takes.
     */
    void header(long start) {
        if (kind != HEADER) {
            kind = HEADER;
            set(start + headerNs);
        }
    }

    /** The head being read is complete: the next one gets a deadline of its own. */
    void headDone() {
        if (kind == HEADER) {
            kind = NONE;
        }
    }

    /** Waiting for the next request, or inside a body, at {@code now}: idle deadline. */
    void idle(long now) {
        if (kind != IDLE || now - idleSetAt > slackNs) {
            kind = IDLE;
            idleSetAt = now;
            set(now + idleNs);
        }
    }

    private void set(long nanoTime) {
        conn.setReadDeadline(Instant.now().plusNanos(nanoTime - System.nanoTime()));
    }
}
