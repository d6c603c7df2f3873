package dev.jgo.sync;

/**
 * The result of Go's two-value receive {@code v, ok := <-c}: {@code ok} is true when {@code value}
 * was sent by a send, false when the channel is closed and drained (then {@code value} is null).
 *
 * @param <T> the element type
 * @param value the value received, null when {@code ok} is false
 * @param ok whether a value was received
 */
public record Received<T>(T value, boolean ok) {

    private static final Received<?> CLOSED = new Received<>(null, false);

    /** The result of a receive from a closed, drained channel. */
    @SuppressWarnings("unchecked")
    static <T> Received<T> closed() {
        return (Received<T>) CLOSED;
    }
}
