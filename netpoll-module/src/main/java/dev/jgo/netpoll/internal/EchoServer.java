package dev.jgo.netpoll.internal;

import dev.jgo.net.AcceptLoop;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

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
        serve(l, HttpTimeouts.DEFAULT_WRITE);
    }

    /**
     * As {@link #serve(Listener)}; the echo of each read must be written within {@code
     * writeTimeout} of it (kept lazily, as {@link WriteDeadline} says), or the connection closes:
     * a client that sends and never reads cannot hold it.
     */
    public static void serve(Listener l, Duration writeTimeout) {
        HttpTimeouts t = new HttpTimeouts(HttpTimeouts.DEFAULT.readHeader(), HttpTimeouts.DEFAULT.idle(), writeTimeout);
        AcceptLoop.serve(l, "echo", c -> handle(c, t));
    }

    static void handle(Conn c) {
        handle(c, HttpTimeouts.DEFAULT);
    }

    /** Echoes until the peer closes or a write passes its deadline. Concurrency: the connection's goroutine. */
    static void handle(Conn c, HttpTimeouts t) {
        try (c) {
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            WriteDeadline writeDeadline = new WriteDeadline(c, t.write(), t.writeSlack());
            while (c.read(buf.clear()) >= 0) {
                writeDeadline.read(System.nanoTime());
                c.write(buf.flip());
            }
        } catch (IOException e) {
            // peer gone: drop the connection
        }
    }
}
