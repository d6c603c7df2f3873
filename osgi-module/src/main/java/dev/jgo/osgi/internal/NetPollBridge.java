package dev.jgo.osgi.internal;

import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import dev.jgo.spi.NetPoller;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.List;

/**
 * The network poller {@code dev.jgo.net} uses inside a framework ({@link NetPoller#install}): it
 * hands each call to the {@link NetPoller} service bound now. While none is (the jgo-netpoll
 * bundle is stopped), {@code Net.listen} and {@code Net.dial} throw {@link IllegalStateException}
 * {@value #STOPPED}; starting the bundle again restores them.
 *
 * <p>Listeners and connections talk to the poller that made them, not to this bridge. When the
 * netpoll bundle stops, its poller closes every descriptor it holds: goroutines blocked in {@code
 * accept}, {@code read} or {@code write} wake with a {@code SocketException} saying the poller
 * stopped, and later calls on those connections throw the same. Nothing waits for a replacement.
 */
final class NetPollBridge implements NetPoller {
    static final String STOPPED = "jgo-netpoll bundle is stopped (no dev.jgo.spi.NetPoller service):"
            + " dev.jgo.net works again once it starts";

    /** The bound poller, null while none is. Written by SCR's threads, read by goroutines. */
    private volatile NetPoller delegate;

    /** Installs {@code p} (null: none). Concurrency: any thread. */
    void use(NetPoller p) {
        delegate = p;
    }

    /** The poller in use, null if none. */
    NetPoller delegate() {
        return delegate;
    }

    private NetPoller poller() {
        NetPoller p = delegate;
        if (p == null) {
            throw new IllegalStateException(STOPPED);
        }
        return p;
    }

    /** The service's component initialises it: nothing to do here. */
    @Override
    public void init() {}

    @Override
    public PollDesc register(SelectableChannel ch, int readOps, int writeOps) throws IOException {
        return poller().register(ch, readOps, writeOps);
    }

    @Override
    public List<Wake> poll(long delayNanos) throws IOException {
        return poller().poll(delayNanos);
    }

    @Override
    public void wakeup() {
        NetPoller p = delegate;
        if (p != null) {
            p.wakeup();
        }
    }

    @Override
    public void closeOwned(dev.jgo.spi.Scheduler owner) {
        NetPoller p = delegate;
        if (p != null) {
            p.closeOwned(owner); // a closing runtime's sockets, whichever poller made them
        }
    }

    @Override
    public int waiters() {
        NetPoller p = delegate;
        return p == null ? 0 : p.waiters();
    }

    @Override
    public Listener listen(String host, int port) throws IOException {
        return poller().listen(host, port);
    }

    @Override
    public Conn dial(String host, int port) throws IOException {
        return poller().dial(host, port);
    }

    @Override
    public String toString() {
        return "NetPollBridge[" + delegate + "]";
    }
}
