package dev.jgo.net;

import dev.jgo.spi.NetPoller;
import java.io.IOException;

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
}
