package dev.jgo.sync;

/**
 * Go's {@code panic: send on closed channel} and {@code panic: close of closed channel}: thrown by
 * a send (or a select send case) on a closed channel, by a send that was waiting when the channel
 * was closed, and by a second {@link Chan#close()}. The channel stays usable: receivers still
 * drain its buffer.
 */
public class ClosedChannelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClosedChannelException(String message) {
        super(message);
    }
}
