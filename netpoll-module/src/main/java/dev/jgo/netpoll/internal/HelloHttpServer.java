package dev.jgo.netpoll.internal;

import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Example: a minimal HTTP/1.1 keep-alive server answering every request with {@code hello}, one
 * goroutine per connection. It understands requests without a body (GET, HEAD) and pipelining;
 * a request with {@code Connection: close} closes after the answer. For benchmarks, not for use.
 */
public final class HelloHttpServer {
    private HelloHttpServer() {}

    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\n"
                    + "Content-Type: text/plain\r\n"
                    + "Content-Length: 5\r\n"
                    + "\r\n"
                    + "hello")
            .getBytes(StandardCharsets.US_ASCII);

    /**
     * Accepts until {@code l} is closed, retrying other accept errors ({@link AcceptLoop}); must run
     * in a goroutine.
     */
    public static void serve(Listener l) {
        AcceptLoop.serve(l, "http", HelloHttpServer::handle);
    }

    static void handle(Conn c) {
        try (c) {
            ByteBuffer in = ByteBuffer.allocate(8192);
            ByteBuffer out = ByteBuffer.allocate(RESPONSE.length * 64);
            for (; ; ) {
                if (c.read(in) < 0) {
                    return;
                }
                in.flip();
                boolean close = false;
                int start = in.position();
                // answer every complete request head ("\r\n\r\n") in the buffer
                for (int i = start; i + 3 < in.limit(); i++) {
                    if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
                        close |= wantsClose(in, start, i);
                        if (out.remaining() < RESPONSE.length) {
                            c.write(out.flip());
                            out.clear();
                        }
                        out.put(RESPONSE);
                        start = i + 4;
                        i += 3;
                    }
                }
                in.position(start);
                in.compact();
                if (!in.hasRemaining()) {
                    return; // a request head larger than the buffer: give up on the connection
                }
                if (out.position() > 0) {
                    c.write(out.flip());
                    out.clear();
                }
                if (close) {
                    return;
                }
            }
        } catch (IOException e) {
            // peer gone
        }
    }

    private static boolean wantsClose(ByteBuffer b, int from, int to) {
        byte[] head = new byte[to - from];
        b.get(from, head);
        String s = new String(head, StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
        return s.contains("\r\nconnection: close") || s.startsWith("get / http/1.0") && !s.contains("keep-alive");
    }
}
