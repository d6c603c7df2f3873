package dev.jgo.sync;

/**
 * The receive side of a channel, Go's {@code <-chan T}: what a function that only consumes
 * should take or return. {@link Chan} implements it; a {@link Select} receive case takes one.
 *
 * <pre>{@code
 * static RecvChan<Integer> count(int n) {
 *     Chan<Integer> c = Chan.make(0);
 *     Go.go(() -> {
 *         for (int i = 0; i < n; i++) {
 *             c.send(i);
 *         }
 *         c.close();
 *     });
 *     return c;
 * }
 * for (int v : count(3)) { ... }
 * }</pre>
 *
 * @param <T> the element type
 */
public sealed interface RecvChan<T> extends Iterable<T> permits Chan {
    /** See {@link Chan#recv()}. */
    T recv();

    /** See {@link Chan#recvOk()}. */
    Received<T> recvOk();

    /** See {@link Chan#tryRecv()}. */
    Received<T> tryRecv();

    /** See {@link Chan#len()}. */
    int len();

    /** See {@link Chan#cap()}. */
    int cap();
}
