package dev.jgo.netpoll.internal;

import dev.jgo.net.Conn;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.NetPoller;
import dev.jgo.spi.TimerQueue;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;

/** A TCP connection on a non-blocking {@link SocketChannel}. */
final class TcpConn implements Conn {

    private final SocketChannel ch;
    private final NetPoller.PollDesc pd;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;

    private TcpConn(SocketChannel ch, NetPoller.PollDesc pd) throws IOException {
        this.ch = ch;
        this.pd = pd;
        this.local = (InetSocketAddress) ch.getLocalAddress();
        this.remote = (InetSocketAddress) ch.getRemoteAddress();
    }

    /** Resolves {@code host} on a carrier that hands its P off while the lookup blocks. */
    static InetSocketAddress resolve(String op, String host, int port) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(op + " tcp: invalid port " + port);
        }
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(host); // an address literal needs no lookup
            return new InetSocketAddress(a, port);
        } catch (IllegalArgumentException e) {
            // a name: look it up below
        }
        try {
            Carrier c = Carrier.currentOrNull();
            a = c == null ? InetAddress.getByName(host) : c.blocking(() -> InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            UnknownHostException u =
                    new UnknownHostException(op + " tcp " + host + ":" + port + ": lookup " + host + ": no such host");
            u.initCause(e);
            throw u;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(op + " tcp " + host + ":" + port + ": " + e, e);
        }
        return new InetSocketAddress(a, port);
    }

    static TcpConn wrap(SelectorNetPoller poller, SocketChannel s) throws IOException {
        try {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            NetPoller.PollDesc pd = poller.register(s, SelectionKey.OP_READ, SelectionKey.OP_WRITE);
            return new TcpConn(s, pd);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static TcpConn dial(SelectorNetPoller poller, String host, int port) throws IOException {
        InetSocketAddress addr = resolve("dial", host, port);
        Carrier.current().operationCheckpoint();
        SocketChannel s = SocketChannel.open();
        NetPoller.PollDesc pd;
        try {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            pd = poller.register(s, SelectionKey.OP_READ, SelectionKey.OP_CONNECT);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        try {
            if (!s.connect(addr)) {
                while (!s.finishConnect()) {
                    pd.waitIO(NetPoller.WRITE);
                }
            }
            // from now on the write mode waits for writability, not for the connect
            ((PollDescImpl) pd).writeOps = SelectionKey.OP_WRITE;
            return new TcpConn(s, pd);
        } catch (ConnectException e) {
            pd.close();
            ConnectException c = new ConnectException("dial tcp " + host + ":" + port + ": connection refused");
            c.initCause(e);
            throw c;
        } catch (IOException | RuntimeException e) {
            pd.close();
            throw e;
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Carrier.current().operationCheckpoint();
        for (; ; ) {
            pd.checkErr(NetPoller.READ);
            int n;
            try {
                n = ch.read(dst);
            } catch (ClosedChannelException e) {
                throw closed("read");
            }
            if (n != 0 || !dst.hasRemaining()) {
                return n;
            }
            pd.waitIO(NetPoller.READ);
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Carrier.current().operationCheckpoint();
        int total = 0;
        for (; ; ) {
            pd.checkErr(NetPoller.WRITE);
            int n;
            try {
                n = ch.write(src);
            } catch (ClosedChannelException e) {
                throw closed("write");
            }
            total += n;
            if (!src.hasRemaining()) {
                return total;
            }
            if (n == 0) {
                pd.waitIO(NetPoller.WRITE);
            }
        }
    }

    private SocketException closed(String op) {
        return new SocketException(op + " tcp " + local + "->" + remote + ": use of closed network connection"
                + (pd instanceof PollDescImpl p && p.pollerStopped() ? ": " + SelectorNetPoller.STOPPED : ""));
    }

    /** An {@link Instant} as a {@link TimerQueue#nanotime()} deadline (0 for null). */
    static long toNanotime(Instant t) {
        if (t == null) {
            return 0;
        }
        long now = TimerQueue.nanotime();
        long ns;
        try {
            ns = Duration.between(dev.jgo.time.Time.now(), t).toNanos();
        } catch (ArithmeticException e) {
            return t.isBefore(dev.jgo.time.Time.now()) ? 1 : TimerQueue.MAX_WHEN;
        }
        if (ns <= 0) {
            return Math.max(1, now + Math.max(ns, -now + 1));
        }
        long w = now + ns;
        return w < 0 ? TimerQueue.MAX_WHEN : w;
    }

    @Override
    public void setDeadline(Instant t) {
        pd.setDeadline(NetPoller.READ | NetPoller.WRITE, toNanotime(t));
    }

    @Override
    public void setReadDeadline(Instant t) {
        pd.setDeadline(NetPoller.READ, toNanotime(t));
    }

    @Override
    public void setWriteDeadline(Instant t) {
        pd.setDeadline(NetPoller.WRITE, toNanotime(t));
    }

    @Override
    public void closeWrite() throws IOException {
        try {
            ch.shutdownOutput();
        } catch (ClosedChannelException e) {
            throw closed("close");
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public void close() {
        pd.close();
    }

    @Override
    public String toString() {
        return "Conn[tcp " + local + "->" + remote + "]";
    }
}
