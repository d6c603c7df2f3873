package dev.jgo.profiler.internal;

import dev.jgo.Go;
import dev.jgo.net.Conn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Notices a client leaving while its request waits (a profile's or trace's seconds): a port of
 * net/http's background read ({@code connReader.startBackgroundRead} and {@code
 * abortPendingRead}), which cancels a request's context when its connection reaches end of
 * stream.
 *
 * <ol>
 *   <li>{@link #start} starts a goroutine that reads the connection into the handler's own input
 *       buffer (the handler does not touch it while it waits).
 *   <li>End of stream or a read error means the client is gone: {@link #gone} becomes true and
 *       the handler's wake-up latch is counted down. Bytes that arrive (a pipelined request)
 *       end the watch without waking anyone; they stay in the buffer for the handler.
 *   <li>{@link #abort} sets a read deadline in the past, which ends a read in progress, waits for
 *       the goroutine to finish, and clears the deadline: from then on the connection's reads
 *       and its buffer are the handler's again.
 * </ol>
 */
final class ClientWatch {
    private final Conn conn;
    private final CountDownLatch done = new CountDownLatch(1);
    /** Set by {@link #abort} before it ends the read, so the timeout it causes is not "gone". */
    private volatile boolean aborting;
    /** Whether the client left (written by the watching goroutine before {@code done}). */
    private volatile boolean gone;

    private ClientWatch(Conn conn) {
        this.conn = conn;
    }

    /**
     * Starts watching {@code c}, reading into {@code in}; counts down {@code wake} if the client
     * leaves. Concurrency: the connection's goroutine, which then leaves {@code c}'s reads and
     * {@code in} alone until {@link #abort}.
     */
    static ClientWatch start(Conn c, ByteBuffer in, CountDownLatch wake) {
        ClientWatch w = new ClientWatch(c);
        Go.go(() -> {
            try {
                if (in.hasRemaining() && c.read(in) < 0) {
                    w.gone = true;
                    wake.countDown();
                }
            } catch (IOException e) {
                if (!w.aborting) {
                    w.gone = true;
                    wake.countDown();
                }
            } finally {
                w.done.countDown();
            }
        });
        return w;
    }

    /** Whether the client left while watched. Concurrency: any thread. */
    boolean gone() {
        return gone;
    }

    /**
     * Ends the watch and waits for its goroutine; the buffer then holds whatever it read.
     * Concurrency: the connection's goroutine.
     */
    void abort() {
        aborting = true;
        conn.setReadDeadline(Instant.EPOCH); // a deadline in the past ends a read in progress
        if (!Go.blockingLong(() -> done.await(30, TimeUnit.SECONDS))) {
            conn.close(); // a read that outlives its deadline: the buffer cannot be trusted again
        }
        conn.setReadDeadline(null);
    }
}
