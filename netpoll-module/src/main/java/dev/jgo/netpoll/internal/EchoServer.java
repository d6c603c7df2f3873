package dev.jgo.netpoll.internal;

import dev.jgo.net.AcceptLoop;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Example: an echo server, one goroutine per connection, written as blocking code (Go's classic
 * {@code for { c, _ := l.Accept(); go io.Copy(c, c) }}). {@link #serve} returns when the listener
 * is closed.
 */
public final class EchoServer {
    private EchoServer() {}

    /**
     * Accepts until {@code l} is closed, retrying other accept errors ({@link AcceptLoop}); must run
     * in a goroutine.
     */
    public static void serve(Listener l) {
        AcceptLoop.serve(l, "echo", EchoServer::handle);
    }

    static void handle(Conn c) {
        try (c) {
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            while (c.read(buf.clear()) >= 0) {
                c.write(buf.flip());
            }
        } catch (IOException e) {
            // peer gone: drop the connection
        }
    }
}
