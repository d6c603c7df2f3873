package dev.jgo.net;

import dev.jgo.Go;
import dev.jgo.context.Context;
import dev.jgo.spi.NetPoller;
import dev.jgo.sync.Chan;
import dev.jgo.sync.RecvChan;
import dev.jgo.sync.Select;
import java.io.IOException;
import java.util.Objects;

/** TCP listeners and connections whose blocking calls park the goroutine (Go's {@code net}). */
public final class Net {
    private Net() {}

    /**
     * Go's {@code net.Listen("tcp", host:port)}: a listening socket; port 0 picks a free port (see
     * {@link Listener#port()}).
     *
     * @throws java.net.BindException if the address is in use
     * @throws java.net.UnknownHostException if {@code host} does not resolve
     * @throws IllegalStateException if jgo-netpoll is not on the class path
     */
    public static Listener listen(String host, int port) throws IOException {
        return NetPoller.get().listen(host, port);
    }

    /**
     * Go's {@code net.Dial("tcp", host:port)}: connects, parking the goroutine until connected.
     *
     * @throws java.net.ConnectException if the connection is refused
     * @throws java.net.UnknownHostException if {@code host} does not resolve
     * @throws IllegalStateException if jgo-netpoll is not on the class path
     */
    public static Conn dial(String host, int port) throws IOException {
        return NetPoller.get().dial(host, port);
    }

    /**
     * Go's {@code (&net.Dialer{}).DialContext(ctx, "tcp", host:port)}: as {@link #dial(String,
     * int)}, but gives up when {@code ctx} ends first (cancelled or past its deadline) and rethrows,
     * unchecked, the very object {@code ctx.err()} returns. A connection that completes after the
     * caller gave up is closed.
     *
     * <p>The connect runs in a goroutine of its own while the caller selects on its result and on
     * {@code ctx.done()}; an abandoned connect ends when the operating system gives up on it.
     *
     * @throws java.net.ConnectException if the connection is refused
     * @throws java.net.UnknownHostException if {@code host} does not resolve
     */
    public static Conn dial(Context ctx, String host, int port) throws IOException {
        Objects.requireNonNull(ctx, "context");
        RecvChan<?> done = ctx.done();
        if (done.tryRecv() != null) {
            throw sneaky(ctx.err());
        }
        if (done == Chan.nil()) {
            return dial(host, port); // never cancelled
        }
        Chan<Object> result = Chan.make(1); // a Conn or the Throwable; never blocks the dialer
        Go.go(() -> {
            Object r;
            try {
                r = dial(host, port);
            } catch (Throwable e) {
                r = e;
            }
            result.send(r);
        });
        Object[] got = {null};
        int which = Select.create()
                .recv(result, v -> got[0] = v)
                .recv(done, v -> {})
                .select();
        if (which == 1) {
            // Given up: whoever finishes the connect must not leak the connection.
            Go.go(() -> {
                if (result.recv() instanceof Conn c) {
                    c.close(); // nobody can use it
                }
            });
            throw sneaky(ctx.err());
        }
        if (got[0] instanceof Conn c) {
            return c;
        }
        throw sneaky((Throwable) got[0]);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
