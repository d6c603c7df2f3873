package dev.jgo.netpoll.internal;

import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Select;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A listener that holds at most {@code n} connections open at once: port of {@code
 * golang.org/x/net/netutil.LimitListener}. {@link #accept} waits for a connection to close before
 * it accepts past the limit, so excess connections wait in the kernel's accept queue (their
 * handshake done, nothing read or answered) and are served in turn; once that queue is full, the
 * kernel refuses or drops further ones. Closing the listener ends a wait at once.
 *
 * <p>Concurrency: {@link #accept} from goroutines; connections and {@link #close} from any.
 */
public final class LimitListener implements Listener {
    private final Listener l;

    /** A slot per open connection: send to take one, receive to give it back (Go's {@code sem}). */
    private final Chan<Boolean> sem;

    /** Closed by {@link #close} (Go's {@code done}). */
    private final Chan<Boolean> done = Chan.make(0);

    private final AtomicBoolean closed = new AtomicBoolean();

    private LimitListener(Listener l, int n) {
        this.l = l;
        this.sem = Chan.make(n);
    }

    /**
     * {@code l} with at most {@code n} connections open at once.
     *
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public static LimitListener of(Listener l, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("connection limit must be at least 1, got " + n);
        }
        return new LimitListener(l, n);
    }

    /** Takes a slot, waiting for one; false once the listener is closed. Port of limitListener.acquire. */
    private boolean acquire() {
        boolean[] got = new boolean[1];
        Select.create()
                .recv(done, v -> {})
                .send(sem, Boolean.TRUE, () -> got[0] = true)
                .select();
        return got[0];
    }

    /**
     * Gives a slot back. Non-blocking, so that any thread may close a connection: a slot held
     * means an element in {@link #sem}'s buffer. Port of limitListener.release.
     */
    private void release() {
        var r = sem.tryRecv();
        assert r != null && r.ok() : "a slot was held";
    }

    /** Port of limitListener.Accept. */
    @Override
    public Conn accept() throws IOException {
        if (!acquire()) {
            // closed: the accept fails at once; a connection it returns anyway is closed (Go's loop)
            for (; ; ) {
                l.accept().close();
            }
        }
        Conn c;
        try {
            c = l.accept();
        } catch (IOException | RuntimeException e) {
            release();
            throw e;
        }
        // Invariant: every accepted connection holds one slot until it is closed, once.
        return new LimitedConn(c);
    }

    @Override
    public int port() {
        return l.port();
    }

    /** Port of limitListener.Close. */
    @Override
    public void close() {
        l.close();
        if (closed.compareAndSet(false, true)) {
            done.close();
        }
    }

    @Override
    public String toString() {
        return l + " (at most " + sem.cap() + " connections)";
    }

    /** A connection that gives its slot back when first closed (Go's limitListenerConn). */
    private final class LimitedConn implements Conn {
        private final Conn c;
        private final AtomicBoolean released = new AtomicBoolean();

        LimitedConn(Conn c) {
            this.c = c;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return c.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return c.write(src);
        }

        @Override
        public void setDeadline(Instant t) {
            c.setDeadline(t);
        }

        @Override
        public void setReadDeadline(Instant t) {
            c.setReadDeadline(t);
        }

        @Override
        public void setWriteDeadline(Instant t) {
            c.setWriteDeadline(t);
        }

        @Override
        public void closeWrite() throws IOException {
            c.closeWrite();
        }

        @Override
        public InetSocketAddress localAddress() {
            return c.localAddress();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return c.remoteAddress();
        }

        @Override
        public void close() {
            try {
                c.close();
            } finally {
                if (released.compareAndSet(false, true)) {
                    release();
                }
            }
        }

        @Override
        public String toString() {
            return c.toString();
        }
    }
}
