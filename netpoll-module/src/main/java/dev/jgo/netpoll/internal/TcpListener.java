package dev.jgo.netpoll.internal;

import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.NetPoller;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A TCP listener on a non-blocking {@link ServerSocketChannel}. */
final class TcpListener implements Listener {

    private final SelectorNetPoller poller;
    private final ServerSocketChannel ch;
    private final NetPoller.PollDesc pd;
    private final int port;

    private TcpListener(SelectorNetPoller poller, ServerSocketChannel ch, NetPoller.PollDesc pd, int port) {
        this.poller = poller;
        this.ch = ch;
        this.pd = pd;
        this.port = port;
    }

    static TcpListener listen(SelectorNetPoller poller, String host, int port) throws IOException {
        InetSocketAddress addr = TcpConn.resolve("listen", host, port);
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.bind(addr, 4096); // the kernel caps it at net.core.somaxconn
        } catch (BindException e) {
            ch.close();
            BindException b = new BindException("listen tcp " + host + ":" + port + ": " + e.getMessage());
            b.initCause(e);
            throw b;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        int bound = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        NetPoller.PollDesc pd = poller.register(ch, SelectionKey.OP_ACCEPT, 0);
        return new TcpListener(poller, ch, pd, bound);
    }

    @Override
    public Conn accept() throws IOException {
        Carrier.current().operationCheckpoint();
        for (; ; ) {
            pd.checkErr(NetPoller.READ);
            SocketChannel s;
            try {
                s = ch.accept();
            } catch (ClosedChannelException e) {
                throw new SocketException("accept tcp :" + port + ": use of closed network connection"
                        + (poller.stopped() ? ": " + SelectorNetPoller.STOPPED : ""));
            }
            if (s != null) {
                return TcpConn.wrap(poller, s);
            }
            pd.waitIO(NetPoller.READ);
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void close() {
        pd.close();
    }

    @Override
    public String toString() {
        return "Listener[tcp :" + port + "]";
    }
}
