package dev.jgo.osgi.internal;

import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import dev.jgo.spi.NetPoller;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

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
 *
 * <p>Runtimes that drive the bridge ({@link #attachDriver}) drive the bound poller: each driver
 * of the bridge holds one driver handle on the poller in use, moved to the next poller when the
 * service changes, so the poller's own thread stands down while a runtime polls it.
 */
final class NetPollBridge implements NetPoller {
    static final String STOPPED = "jgo-netpoll bundle is stopped (no dev.jgo.spi.NetPoller service):"
            + " dev.jgo.net works again once it starts";

    /**
     * The bound poller, null while none is. Written by SCR's threads under this bridge's lock
     * (volatile write), read by goroutines without it (volatile read).
     */
    private volatile NetPoller delegate;

    /** Runtimes driving the bridge now. Guarded by this. */
    private int drivers;

    /** The driver handles held on {@link #delegate}, one per driver of the bridge. Guarded by this. */
    private final List<AutoCloseable> attached = new ArrayList<>();

    /**
     * Installs {@code p} (null: none), moving the bridge's drivers from the poller in use to
     * {@code p}. Concurrency: any thread.
     */
    synchronized void use(NetPoller p) {
        if (p == delegate) {
            return;
        }
        detachAll();
        delegate = p;
        if (p != null) {
            for (int i = 0; i < drivers; i++) {
                attached.add(p.attachDriver());
            }
        }
        assert attachedMatchesDrivers();
    }

    /** Invariant: the poller in use has one handle per driver of the bridge; none is held without one. */
    private boolean attachedMatchesDrivers() {
        return attached.size() == (delegate == null ? 0 : drivers);
    }

    /** Closes the handles held on the poller in use. Concurrency: requires this bridge's lock. */
    private void detachAll() {
        assert Thread.holdsLock(this);
        for (AutoCloseable h : attached) {
            close(h);
        }
        attached.clear();
    }

    private static void close(AutoCloseable h) {
        try {
            h.close();
        } catch (Exception e) {
            System.getLogger("dev.jgo.osgi")
                    .log(System.Logger.Level.WARNING, "closing a network poller driver handle failed", e);
        }
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

    /**
     * Drives the poller in use, and whichever is bound after it, until the handle is closed.
     * Concurrency: any thread.
     */
    @Override
    public AutoCloseable attachDriver() {
        synchronized (this) {
            drivers++;
            NetPoller p = delegate;
            if (p != null) {
                attached.add(p.attachDriver());
            }
            assert attachedMatchesDrivers();
        }
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (!closed.compareAndSet(false, true)) {
                return; // idempotent
            }
            synchronized (NetPollBridge.this) {
                drivers--;
                if (!attached.isEmpty()) { // the handles are alike: close any one
                    close(attached.removeLast());
                }
                assert attachedMatchesDrivers();
            }
        };
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
