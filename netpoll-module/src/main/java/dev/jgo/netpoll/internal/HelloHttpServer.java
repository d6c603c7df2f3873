package dev.jgo.netpoll.internal;

import dev.jgo.net.AcceptLoop;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Example: a minimal HTTP/1.1 keep-alive server answering every request with {@code hello}, one
 * goroutine per connection, with pipelining. Request bodies ({@code Content-Length} or chunked)
 * are read and discarded, never taken for requests ({@link HttpFraming}); a request it cannot
 * frame is refused (400, 501, 431 for a head over 8 KiB) and its connection closed. A request with
 * {@code Connection: close}, or HTTP/1.0 without keep-alive, closes after the answer. A head
 * must arrive within the read-header timeout and a keep-alive connection is closed when idle
 * ({@link HttpTimeouts}), so slow or silent clients cannot hold connections forever; nor can
 * a client that sends requests and never reads the answers (the write timeout). For
 * benchmarks, not for use.
 */
public final class HelloHttpServer {
    private HelloHttpServer() {}

    /** The largest request head (Go's default is 1 MB; 8 KiB is what wrk and browsers need). */
    static final int MAX_HEAD = 8192;

    /** How long a refused connection lingers half-closed (Go: rstAvoidanceDelay). */
    static final Duration RST_AVOIDANCE_DELAY = Duration.ofMillis(500);

    private static final String HEAD =
            "HTTP/1.1 200 OK\r\n" + "Content-Type: text/plain\r\n" + "Content-Length: 5\r\n" + "\r\n";

    private static final byte[] RESPONSE = (HEAD + "hello").getBytes(StandardCharsets.US_ASCII);

    /** The answer to HEAD: the same head, no body. */
    private static final byte[] HEAD_RESPONSE = HEAD.getBytes(StandardCharsets.US_ASCII);

    /**
     * Accepts until {@code l} is closed, retrying other accept errors ({@link AcceptLoop}); must run
     * in a goroutine.
     */
    public static void serve(Listener l) {
        serve(l, HttpTimeouts.DEFAULT);
    }

    /** As {@link #serve(Listener)}, with the given timeouts. */
    public static void serve(Listener l, HttpTimeouts t) {
        Objects.requireNonNull(t, "timeouts");
        AcceptLoop.serve(l, "http", c -> handle(c, t));
    }

    /** Serves one connection with the default timeouts. */
    static void handle(Conn c) {
        handle(c, HttpTimeouts.DEFAULT);
    }

    /**
     * Serves one connection until it closes, or a read passes its deadline ({@link ReadDeadline}):
     * then it closes without an answer, as Go's server does. Concurrency: the connection's
     * goroutine.
     */
    static void handle(Conn c, HttpTimeouts t) {
        try (c) {
            ByteBuffer in = ByteBuffer.allocate(MAX_HEAD);
            ByteBuffer out = ByteBuffer.allocate(RESPONSE.length * 64);
            HttpFraming f = new HttpFraming();
            ReadDeadline deadline = new ReadDeadline(c, t);
            WriteDeadline writeDeadline = new WriteDeadline(c, t.write(), t.writeSlack());
            deadline.header(System.nanoTime()); // the first head's time runs from the accept
            for (; ; ) {
                if (c.read(in) < 0) {
                    return;
                }
                writeDeadline.read(System.nanoTime()); // what this read asks is answered in time
                in.flip();
                boolean close = false;
                boolean refused = false;
                // Invariant: a head is looked for only after the previous request's body is skipped.
                while (in.hasRemaining() && !close) {
                    if (f.inBody()) {
                        int r = f.skipBody(in);
                        if (r == HttpFraming.BODY_MORE) {
                            break;
                        }
                        if (r == HttpFraming.BODY_BAD) {
                            queue(c, out, refusal(f.refusal, f.problem));
                            close = refused = true;
                        }
                        continue;
                    }
                    int start = in.position();
                    int end = headEnd(in, start);
                    if (end < 0) {
                        break;
                    }
                    in.position(end + 4);
                    deadline.headDone();
                    if (!f.parseHead(in, start, end)) {
                        queue(c, out, refusal(f.refusal, f.problem));
                        close = refused = true;
                    } else {
                        queue(c, out, isHead(in, start) ? HEAD_RESPONSE : RESPONSE);
                        close = f.close;
                    }
                }
                in.compact();
                if (!close && !in.hasRemaining()) {
                    // only a head fills the buffer: bodies are skipped as they arrive
                    queue(c, out, refusal(431, "request head larger than " + MAX_HEAD + " bytes"));
                    close = refused = true;
                }
                if (out.position() > 0) {
                    c.write(out.flip());
                    out.clear();
                }
                if (refused) {
                    closeWriteAndWait(c);
                }
                if (close) {
                    return;
                }
                // Invariant: a partial head reads under its absolute header deadline, anything
                // else under the idle deadline.
                long now = System.nanoTime();
                if (f.inBody() || in.position() == 0) {
                    deadline.idle(now);
                } else {
                    deadline.header(now);
                }
            }
        } catch (IOException e) {
            // peer gone
        }
    }

    /**
     * Port of net/http's closeWriteAndWait: after a refusal the client may still be sending;
     * closing with unread input sends a reset that can destroy the answer before the client reads
     * it. So half-close, and discard input until the client closes or 500 ms pass.
     */
    static void closeWriteAndWait(Conn c) {
        try {
            c.closeWrite();
            c.setReadDeadline(Instant.now().plus(RST_AVOIDANCE_DELAY));
            ByteBuffer sink = ByteBuffer.allocate(4096);
            while (c.read(sink.clear()) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // deadline passed or peer gone: close now
        }
    }

    /** Index of the first {@code \r\n\r\n} at or after {@code from}, or -1. */
    private static int headEnd(ByteBuffer in, int from) {
        for (int i = from; i + 3 < in.limit(); i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static boolean isHead(ByteBuffer in, int start) {
        return in.get(start) == 'H'
                && in.get(start + 1) == 'E'
                && in.get(start + 2) == 'A'
                && in.get(start + 3) == 'D'
                && in.get(start + 4) == ' ';
    }

    /** Adds {@code b} to the answers to send, sending the earlier ones first if it does not fit. */
    private static void queue(Conn c, ByteBuffer out, byte[] b) throws IOException {
        if (out.remaining() < b.length) {
            c.write(out.flip());
            out.clear();
        }
        if (b.length > out.capacity()) {
            c.write(ByteBuffer.wrap(b));
        } else {
            out.put(b);
        }
    }

    /** An error answer that closes the connection (Go's server answers the same way). */
    static byte[] refusal(int status, String why) {
        String reason = switch (status) {
            case 400 -> "Bad Request";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            default -> "Error";
        };
        String body = status + " " + reason + ": " + why + "\n";
        return ("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                        + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
    }
}
