package dev.jgo.netpoll.internal;

import java.nio.ByteBuffer;

/**
 * Where HTTP/1.1 requests begin and end on one connection of {@link HelloHttpServer}: the fields
 * of a request head that frame its body, and the skipping of that body.
 *
 * <h2>Design note: a body is never a request</h2>
 *
 * <p>A server that answers request heads without knowing where bodies end answers a body that
 * looks like a request as one: the building block of request smuggling. Go's {@code net/http}
 * frames each request by RFC 9112 section 6 and reads or discards its body before the next head;
 * this class does the same for a server that never looks at bodies:
 *
 * <ol>
 *   <li>{@link #parseHead} reads the request line's version and the {@code Content-Length},
 *       {@code Transfer-Encoding} and {@code Connection} fields of one head. Anything ambiguous is
 *       refused, with the connection closed after the answer: a malformed request line or field
 *       line (no colon, white space before it), an invalid or repeated differing {@code
 *       Content-Length}, both {@code Content-Length} and {@code Transfer-Encoding} (400, as the RFC
 *       allows), a transfer coding other than a lone {@code chunked} (501, as Go).
 *   <li>{@link #skipBody} then discards the body from the bytes read, across reads: {@code
 *       Content-Length} bytes, or a chunked body up to and including its trailer section, with
 *       every chunk-size line and CRLF checked (a malformed chunk is refused and the connection
 *       closed); only then is the next head looked for.
 * </ol>
 *
 * <p>Header names are matched byte by byte, case-insensitively, without building strings: the
 * hello server's speed depends on it.
 */
final class HttpFraming {
    /** {@link #skipBody}: the body is skipped; the next head starts at the buffer's position. */
    static final int BODY_DONE = 0;
    /** {@link #skipBody}: the buffer is used up inside the body; read more. */
    static final int BODY_MORE = 1;
    /** {@link #skipBody}: a malformed chunked body; answer 400 and close. */
    static final int BODY_BAD = 2;

    private static final long MAX_CHUNK_SIZE = Long.MAX_VALUE >> 4;
    /** Bytes of chunk extensions and trailer fields skipped per body before it counts as malformed. */
    private static final int MAX_CHUNK_META = 8192;

    // chunked-body states (RFC 9112 section 7.1)
    private static final int C_SIZE = 0; // in chunk-size (hex digits so far: chunkDigits)
    private static final int C_EXT = 1; // in chunk-ext, up to CR
    private static final int C_SIZE_LF = 2; // after the CR ending the chunk-size line
    private static final int C_DATA = 3; // in chunk-data (bodyLeft bytes to go)
    private static final int C_DATA_CR = 4; // after chunk-data, expecting CR
    private static final int C_DATA_LF = 5; // expecting the LF after chunk-data
    private static final int C_TRAILER = 6; // at the start of a trailer line or the final CRLF
    private static final int C_TRAILER_LINE = 7; // in a trailer field line, up to CR
    private static final int C_TRAILER_LF = 8; // after the CR ending a trailer field line
    private static final int C_END_LF = 9; // after the final CR

    // ---- the last head parsed (owner goroutine only) ----

    /** Status to answer with instead of a response (400, 501), or 0 if the head is acceptable. */
    int refusal;
    /** Why the head was refused, for the answer's body. */
    String problem;
    /** The connection closes after this request's answer. */
    boolean close;

    // ---- the body being skipped (owner goroutine only) ----

    /** Content-Length bytes, or chunk-data bytes, still to skip. */
    private long bodyLeft;
    /** Whether a chunked body is being skipped (state in {@link #chunkState}). */
    private boolean chunked;

    private int chunkState;
    private int chunkDigits;
    private int chunkMeta;

    /**
     * Parses the head in {@code b[from, to)} (up to, not including, its blank line) and prepares
     * {@link #skipBody} for its body. Sets {@link #refusal}, {@link #problem} and {@link #close}.
     * Concurrency: owner goroutine only.
     *
     * @return whether the head is acceptable ({@link #refusal} is 0)
     */
    boolean parseHead(ByteBuffer b, int from, int to) {
        assert bodyLeft == 0 && !chunked : "a head parsed before the previous body was skipped";
        refusal = 0;
        problem = null;
        long contentLength = -1;
        boolean te = false;
        boolean teChunked = false;
        int eol = lineEnd(b, from, to);
        if (eol < 0) {
            return refuse(400, "bare CR or LF in the request head");
        }
        // request-line = method SP request-target SP HTTP-version
        boolean http10;
        if (endsWith(b, eol, "HTTP/1.1")) {
            http10 = false;
        } else if (endsWith(b, eol, "HTTP/1.0")) {
            http10 = true;
        } else {
            return refuse(400, "malformed request line or unsupported HTTP version");
        }
        if (!requestLineOk(b, from, eol - "HTTP/1.1".length() - 1)) {
            return refuse(400, "malformed request line");
        }
        boolean keepAlive = false;
        boolean closeAsked = false;
        for (int line = eol + 2; line < to; line = eol + 2) {
            eol = lineEnd(b, line, to);
            if (eol < 0) {
                return refuse(400, "bare CR or LF in the request head");
            }
            int colon = -1;
            for (int i = line; i < eol; i++) {
                byte c = b.get(i);
                if (c == ':') {
                    colon = i;
                    break;
                }
                if (!isTchar(c)) {
                    return refuse(400, "malformed header field line");
                }
            }
            if (colon <= line) {
                return refuse(400, "malformed header field line");
            }
            int v = colon + 1;
            int ve = eol;
            while (v < ve && (b.get(v) == ' ' || b.get(v) == '\t')) {
                v++;
            }
            while (ve > v && (b.get(ve - 1) == ' ' || b.get(ve - 1) == '\t')) {
                ve--;
            }
            if (nameIs(b, line, colon, "content-length")) {
                long n = parseLength(b, v, ve);
                if (n < 0 || (contentLength >= 0 && n != contentLength)) {
                    return refuse(400, "invalid or conflicting Content-Length");
                }
                contentLength = n;
            } else if (nameIs(b, line, colon, "transfer-encoding")) {
                if (te) {
                    return refuse(501, "unsupported transfer encoding");
                }
                te = true;
                teChunked = equalsIgnoreCase(b, v, ve, "chunked");
            } else if (nameIs(b, line, colon, "connection")) {
                closeAsked |= hasToken(b, v, ve, "close");
                keepAlive |= hasToken(b, v, ve, "keep-alive");
            }
        }
        close = closeAsked || (http10 && !keepAlive);
        if (te && contentLength >= 0) {
            return refuse(400, "both Transfer-Encoding and Content-Length");
        }
        if (te && !teChunked) {
            return refuse(501, "unsupported transfer encoding");
        }
        if (te) {
            chunked = true;
            chunkState = C_SIZE;
            chunkDigits = 0;
            chunkMeta = 0;
            bodyLeft = 0;
        } else {
            bodyLeft = Math.max(0, contentLength);
        }
        return true;
    }

    private boolean refuse(int status, String why) {
        refusal = status;
        problem = why;
        close = true;
        bodyLeft = 0;
        chunked = false;
        return false;
    }

    /** Whether a body is still to be skipped before the next head. */
    boolean inBody() {
        return bodyLeft > 0 || chunked;
    }

    /**
     * Skips body bytes from {@code b}'s position (advancing it). Concurrency: owner goroutine only.
     *
     * @return {@link #BODY_DONE}, {@link #BODY_MORE} or {@link #BODY_BAD}
     */
    int skipBody(ByteBuffer b) {
        if (!chunked) {
            int n = (int) Math.min(bodyLeft, b.remaining());
            b.position(b.position() + n);
            bodyLeft -= n;
            return bodyLeft == 0 ? BODY_DONE : BODY_MORE;
        }
        while (b.hasRemaining()) {
            if (chunkState == C_DATA) {
                int n = (int) Math.min(bodyLeft, b.remaining());
                b.position(b.position() + n);
                bodyLeft -= n;
                if (bodyLeft == 0) {
                    chunkState = C_DATA_CR;
                }
                continue;
            }
            byte c = b.get();
            switch (chunkState) {
                case C_SIZE -> {
                    int d = Character.digit(c, 16);
                    if (d >= 0) {
                        if (bodyLeft > MAX_CHUNK_SIZE || ++chunkDigits > 16) {
                            return badChunk();
                        }
                        bodyLeft = bodyLeft * 16 + d;
                    } else if (chunkDigits > 0 && (c == ';' || c == ' ' || c == '\t')) {
                        chunkState = C_EXT;
                    } else if (chunkDigits > 0 && c == '\r') {
                        chunkState = C_SIZE_LF;
                    } else {
                        return badChunk();
                    }
                }
                case C_EXT -> {
                    if (c == '\r') {
                        chunkState = C_SIZE_LF;
                    } else if (++chunkMeta > MAX_CHUNK_META) {
                        return badChunk();
                    }
                }
                case C_SIZE_LF -> {
                    if (c != '\n') {
                        return badChunk();
                    }
                    chunkState = bodyLeft == 0 ? C_TRAILER : C_DATA;
                }
                case C_DATA_CR -> {
                    if (c != '\r') {
                        return badChunk();
                    }
                    chunkState = C_DATA_LF;
                }
                case C_DATA_LF -> {
                    if (c != '\n') {
                        return badChunk();
                    }
                    chunkState = C_SIZE;
                    chunkDigits = 0;
                }
                case C_TRAILER -> chunkState = c == '\r' ? C_END_LF : C_TRAILER_LINE;
                case C_TRAILER_LINE -> {
                    if (c == '\r') {
                        chunkState = C_TRAILER_LF;
                    } else if (++chunkMeta > MAX_CHUNK_META) {
                        return badChunk();
                    }
                }
                case C_TRAILER_LF -> {
                    if (c != '\n') {
                        return badChunk();
                    }
                    chunkState = C_TRAILER;
                }
                case C_END_LF -> {
                    if (c != '\n') {
                        return badChunk();
                    }
                    chunked = false;
                    return BODY_DONE;
                }
                default -> throw new AssertionError("chunk state " + chunkState);
            }
        }
        return BODY_MORE;
    }

    private int badChunk() {
        refuse(400, "malformed chunked body");
        return BODY_BAD;
    }

    // ---- byte helpers ----

    /**
     * Index of the CR of the line starting at {@code from}, {@code to} for the last line, or -1 if
     * the line holds a bare CR or LF (a line end to some parsers and not to others).
     */
    private static int lineEnd(ByteBuffer b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b.get(i);
            if (c == '\r' && i + 1 < to && b.get(i + 1) == '\n') {
                return i;
            }
            if (c == '\r' || c == '\n') {
                return -1;
            }
        }
        return to;
    }

    private static boolean endsWith(ByteBuffer b, int end, String s) {
        int from = end - s.length();
        if (from < 1 || b.get(from - 1) != ' ') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b.get(from + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code b[from, sp)} is a method token, one space and a target without spaces or controls. */
    private static boolean requestLineOk(ByteBuffer b, int from, int sp) {
        int i = from;
        while (i < sp && isTchar(b.get(i))) {
            i++;
        }
        if (i == from || i >= sp - 1 || b.get(i) != ' ') {
            return false;
        }
        for (int j = i + 1; j < sp; j++) {
            byte c = b.get(j);
            if (c <= ' ' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110's tchar: the characters of a token (method, field name). */
    private static boolean isTchar(byte c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** Whether the field name {@code b[from, to)} is {@code lower} (lower-case letters and '-'). */
    private static boolean nameIs(ByteBuffer b, int from, int to, String lower) {
        return equalsIgnoreCase(b, from, to, lower);
    }

    private static boolean equalsIgnoreCase(ByteBuffer b, int from, int to, String lower) {
        if (to - from != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            if ((b.get(from + i) | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the comma-separated list {@code b[from, to)} holds the token {@code lower}. */
    private static boolean hasToken(ByteBuffer b, int from, int to, String lower) {
        int i = from;
        while (i < to) {
            while (i < to && (b.get(i) == ' ' || b.get(i) == '\t' || b.get(i) == ',')) {
                i++;
            }
            int e = i;
            while (e < to && b.get(e) != ',' && b.get(e) != ' ' && b.get(e) != '\t') {
                e++;
            }
            if (e > i && equalsIgnoreCase(b, i, e, lower)) {
                return true;
            }
            i = e;
        }
        return false;
    }

    /** The decimal {@code b[from, to)}, or -1 if it is empty, not all digits, or too long. */
    private static long parseLength(ByteBuffer b, int from, int to) {
        if (to <= from || to - from > 18) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            byte c = b.get(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
