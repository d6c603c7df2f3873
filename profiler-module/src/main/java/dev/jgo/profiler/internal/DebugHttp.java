package dev.jgo.profiler.internal;

import dev.jgo.Go;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP/1.1 wire of {@link DebugHttpServer}: request heads in, answers out, each answer with
 * its {@code Content-Length}. Requests take no bodies; one that has a body is answered and its
 * connection closed ({@link #parse}), so exactly one answer goes out per request.
 */
final class DebugHttp {
    private DebugHttp() {}

    /**
     * A parsed request head: the request line, and whether the connection closes after the
     * answer, which it does when the client asks or sends a body ({@code body}).
     */
    record Request(String method, String path, Map<String, String> query, boolean close, boolean body) {}

    /**
     * An answer: status, content type, body (in memory or in a file to delete after sending), and
     * a {@code Retry-After} in seconds (0: none).
     */
    record Response(int status, String type, byte[] body, Path file, String disposition, long retryAfter) {
        Response(int status, String type, byte[] body, Path file, String disposition) {
            this(status, type, body, file, disposition, 0);
        }

        static Response text(int status, String msg) {
            return new Response(status, "text/plain; charset=utf-8", msg.getBytes(StandardCharsets.UTF_8), null, null);
        }

        Response retryAfter(long seconds) {
            return new Response(status, type, body, file, disposition, seconds);
        }
    }

    /** Index of the first {@code \r\n\r\n} in the bytes read so far, or -1. */
    static int headEnd(ByteBuffer in) {
        byte[] a = in.array();
        for (int i = 0; i + 3 < in.position(); i++) {
            if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * Parses a request head (without its blank line).
     *
     * <p>The debug endpoints take no bodies, so a request with one ({@code Content-Length} other
     * than 0, or any {@code Transfer-Encoding}) is answered and its connection closed: the body
     * is never read, so it can never be taken for the next request. A field line that parsers
     * could read differently (no colon, white space or controls in the name, a bare CR or LF) is
     * refused.
     *
     * @throws IllegalArgumentException with the message for a 400 answer
     */
    static Request parse(String head) {
        String[] lines = head.split("\r\n", -1);
        for (String l : lines) {
            if (l.indexOf('\r') >= 0 || l.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("bare CR or LF in the request head");
            }
        }
        String[] rl = lines[0].split(" ", -1);
        if (rl.length != 3
                || rl[0].isEmpty()
                || rl[1].isEmpty()
                || !(rl[2].equals("HTTP/1.1") || rl[2].equals("HTTP/1.0"))) {
            throw new IllegalArgumentException("malformed request line: " + lines[0]);
        }
        boolean http10 = rl[2].equals("HTTP/1.0");
        boolean closeAsked = false;
        boolean keepAlive = false;
        boolean body = false;
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i];
            int colon = l.indexOf(':');
            if (colon <= 0 || !isToken(l.substring(0, colon))) {
                throw new IllegalArgumentException("malformed header field line: " + l);
            }
            String name = l.substring(0, colon).toLowerCase(Locale.ROOT);
            String v = l.substring(colon + 1).strip().toLowerCase(Locale.ROOT);
            switch (name) {
                case "connection" -> {
                    for (String t : v.split(",")) {
                        closeAsked |= t.strip().equals("close");
                        keepAlive |= t.strip().equals("keep-alive");
                    }
                }
                case "content-length" -> body |= !v.equals("0");
                case "transfer-encoding" -> body = true;
                default -> {}
            }
        }
        // Invariant: a request with a body closes its connection after the answer.
        boolean close = closeAsked || (http10 && !keepAlive) || body;
        String target = rl[1];
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        Map<String, String> query = new HashMap<>();
        if (q >= 0) {
            for (String kv : target.substring(q + 1).split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                String val = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                query.putIfAbsent(k, val);
            }
        }
        return new Request(rl[0], path, query, close, body);
    }

    /** Whether {@code s} is an RFC 9110 token (a field name). */
    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Port of net/http's closeWriteAndWait: after an answer that closes a connection whose client
     * may still be sending (a body, a refused head), half-close and discard input until the client
     * closes or 500 ms pass; closing with unread input sends a reset that can destroy the answer
     * before the client reads it. Concurrency: the connection's goroutine.
     */
    static void closeWriteAndWait(dev.jgo.net.Conn c) {
        try {
            c.closeWrite();
            c.setReadDeadline(java.time.Instant.now().plusMillis(500));
            ByteBuffer sink = ByteBuffer.allocate(4096);
            while (c.read(sink.clear()) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // deadline passed or peer gone: close now
        }
    }

    static void send(dev.jgo.net.Conn c, Response r, boolean headOnly, boolean close) throws IOException {
        long len = r.file() != null ? Go.blocking(() -> Files.size(r.file())) : r.body().length;
        StringBuilder h = new StringBuilder("HTTP/1.1 ")
                .append(r.status())
                .append(' ')
                .append(reason(r.status()))
                .append("\r\nContent-Type: ")
                .append(r.type())
                .append("\r\nContent-Length: ")
                .append(len)
                .append("\r\nX-Content-Type-Options: nosniff\r\n");
        if (r.disposition() != null) {
            h.append("Content-Disposition: attachment; filename=\"")
                    .append(r.disposition())
                    .append("\"\r\n");
        }
        if (r.status() == 401) {
            h.append("WWW-Authenticate: Bearer realm=\"")
                    .append(DebugHttpAuth.REALM)
                    .append("\"\r\n");
        }
        if (r.retryAfter() > 0) {
            h.append("Retry-After: ").append(r.retryAfter()).append("\r\n");
        }
        if (close) {
            h.append("Connection: close\r\n");
        }
        h.append("\r\n");
        try {
            c.write(ByteBuffer.wrap(h.toString().getBytes(StandardCharsets.ISO_8859_1)));
            if (headOnly) {
                return;
            }
            if (r.file() == null) {
                c.write(ByteBuffer.wrap(r.body()));
                return;
            }
            try (FileChannel f = Go.blocking(() -> FileChannel.open(r.file(), StandardOpenOption.READ))) {
                ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                for (; ; ) {
                    buf.clear();
                    int n = Go.blocking(() -> f.read(buf));
                    if (n < 0) {
                        break;
                    }
                    c.write(buf.flip());
                }
            }
        } finally {
            if (r.file() != null) {
                Go.blocking(() -> Files.deleteIfExists(r.file()));
            }
        }
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 500 -> "Internal Server Error";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> "Internal Server Error";
        };
    }
}
