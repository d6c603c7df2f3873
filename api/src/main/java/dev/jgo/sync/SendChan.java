package dev.jgo.sync;

/**
 * The send side of a channel, Go's {@code chan<- T}: what a function that only produces should
 * take. {@link Chan} implements it; a {@link Select} send case takes one.
 *
 * <pre>{@code
 * static void produce(SendChan<String> out) {
 *     out.send("a");
 *     out.send("b");
 *     out.close();
 * }
 * }</pre>
 *
 * @param <T> the element type
 */
public sealed interface SendChan<T> permits Chan {
    /** See {@link Chan#send(Object)}. */
    void send(T v);

    /** See {@link Chan#trySend(Object)}. */
    boolean trySend(T v);

    /** See {@link Chan#close()}. */
    void close();

    /** See {@link Chan#len()}. */
    int len();

    /** See {@link Chan#cap()}. */
    int cap();
}
