package dev.jgo.netpoll.internal;

import dev.jgo.net.Conn;
import java.time.Duration;
import java.time.Instant;

/**
 * The write deadline of one server connection (Go's {@code http.Server.WriteTimeout}): the
 * answers to what one read brought must be written within the timeout of that read.
 *
 * <p>Setting a deadline costs a lock and a heap operation in the poller, too much for every
 * read of a busy keep-alive connection, so the deadline moves only when it has fallen more than
 * the slack behind ({@link HttpTimeouts#writeSlack()}): a blocked write is cut between {@code
 * timeout - slack} and {@code timeout} after the read it answers. Concurrency: the connection's
 * goroutine only.
 */
final class WriteDeadline {
    private final Conn conn;
    private final long timeoutNs;
    private final long slackNs;

    /** {@link System#nanoTime} at which the deadline was last set; meaningful once {@link #set} is. */
    private long setAt;

    private boolean set;

    WriteDeadline(Conn conn, Duration timeout, Duration slack) {
        this.conn = conn;
        this.timeoutNs = timeout.toNanos();
        this.slackNs = slack.toNanos();
    }

    /** A read at {@code now} ({@link System#nanoTime}) brought what is about to be answered. */
    void read(long now) {
        // Invariant: the deadline in force is at least timeout - slack after the latest read.
        if (!set || now - setAt > slackNs) {
            set = true;
            setAt = now;
            conn.setWriteDeadline(Instant.now().plusNanos(timeoutNs));
        }
    }
}
