package dev.jgo.netpoll.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 18, item 6: the hello server frames requests; a body is never served as a request. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HelloHttpServerTest {
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final String LAST = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

    private static GoRuntime rt;
    private static Listener listener;
    private static final CountDownLatch ended = new CountDownLatch(1);

    @BeforeAll
    static void start() throws IOException {
        rt = GoRuntime.builder().procs(2).build();
        listener = Net.listen("127.0.0.1", 0);
        rt.go(() -> {
            try {
                HelloHttpServer.serve(listener);
            } finally {
                ended.countDown();
            }
        });
    }

    @AfterAll
    static void stop() throws InterruptedException {
        try {
            listener.close();
            assertTrue(ended.await(10, TimeUnit.SECONDS));
        } finally {
            rt.close();
        }
    }

    /** Sends {@code raw} in pieces of {@code piece} bytes, then reads every answer until the server closes. */
    private static String exchange(String raw, int piece) throws Exception {
        try (Socket s = new Socket("127.0.0.1", listener.port())) {
            s.setSoTimeout(20_000);
            s.setTcpNoDelay(true);
            OutputStream o = s.getOutputStream();
            byte[] b = raw.getBytes(StandardCharsets.ISO_8859_1);
            for (int i = 0; i < b.length; i += piece) {
                o.write(b, i, Math.min(piece, b.length - i));
                o.flush();
                if (piece < b.length) {
                    Thread.sleep(2);
                }
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) >= 0; ) {
                got.write(buf, 0, n);
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static int responses(String got) {
        Matcher m = Pattern.compile("HTTP/1\\.1 \\d{3} ").matcher(got);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** A POST whose body is a GET, then a last GET: two answers, whatever the pieces the bytes come in. */
    @ParameterizedTest
    @CsvSource({"100000", "7", "1"})
    void aContentLengthBodyIsNotARequest(int piece) throws Exception {
        String post = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED;
        assertEquals(OK + OK, exchange(post + LAST, piece));
        // a Content-Length body twice the head buffer's size is skipped as it comes
        String big = SMUGGLED.repeat(2 * HelloHttpServer.MAX_HEAD / SMUGGLED.length());
        String post2 = "POST / HTTP/1.1\r\ncontent-length:" + big.length() + "\r\n\r\n" + big;
        assertEquals(OK + OK, exchange(post2 + LAST, Math.max(piece, 1000)));
    }

    @ParameterizedTest
    @CsvSource({"100000", "5", "1"})
    void aChunkedBodyIsNotARequest(int piece) throws Exception {
        String body = Integer.toHexString(SMUGGLED.length()) + ";ext=1\r\n" + SMUGGLED + "\r\n" + "3\r\nGET\r\n"
                + "0\r\n" + "X-Trailer: " + SMUGGLED.length() + "\r\n\r\n";
        String post = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n" + body;
        assertEquals(OK + OK, exchange(post + LAST, piece));
    }

    /** Requests it cannot frame are refused with one answer and the connection closed: nothing after is served. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Content-Length: 5\\r\\nTransfer-Encoding: chunked|400",
                "Transfer-Encoding: gzip, chunked|501",
                "Transfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked|501",
                "Content-Length: 5x|400",
                "Content-Length: -1|400",
                "Content-Length: 5\\r\\nContent-Length: 6|400",
                "Content-Length : 5|400",
                "' Content-Length: 5'|400",
                "X-Foo: bar\\nContent-Length: 5|400",
                "NoColon|400",
            })
    void unframeableRequestsAreRefusedAndClosed(String fields, int status) throws Exception {
        String head =
                "POST / HTTP/1.1\r\nHost: x\r\n" + fields.replace("\\r", "\r").replace("\\n", "\n") + "\r\n\r\n";
        String got = exchange(head + SMUGGLED + LAST, 100_000);
        assertEquals(1, responses(got), got);
        assertTrue(got.startsWith("HTTP/1.1 " + status + " "), got);
        assertTrue(got.contains("\r\nConnection: close\r\n"), got);
    }

    @Test
    void aMalformedChunkIsRefused() throws Exception {
        String got = exchange("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + SMUGGLED + LAST, 100_000);
        assertEquals(2, responses(got), got); // the POST's answer and the refusal
        assertTrue(got.startsWith(OK + "HTTP/1.1 400 Bad Request"), got);
        got = exchange("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n" + SMUGGLED + LAST, 100_000);
        assertTrue(got.startsWith(OK + "HTTP/1.1 400 Bad Request") && responses(got) == 2, got);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"smuggled HTTP/1.1", "GET  HTTP/1.1", "GET / x HTTP/1.1", "G(T / HTTP/1.1", "GET / HTTP/2.0"})
    void malformedRequestLinesAreRefused(String line) throws Exception {
        String got = exchange(line + "\r\nHost: x\r\n\r\n" + LAST, 100_000);
        assertEquals(1, responses(got), got);
        assertTrue(got.startsWith("HTTP/1.1 400 "), got);
    }

    @Test
    void anOversizedHeadGets431() throws Exception {
        String got =
                exchange("GET / HTTP/1.1\r\nX: " + "a".repeat(HelloHttpServer.MAX_HEAD) + "\r\n\r\n" + LAST, 100_000);
        assertEquals(1, responses(got), got);
        assertTrue(got.startsWith("HTTP/1.1 431 "), got);
    }

    @Test
    void headGetsNoBodyAndPipeliningKeepsOrder() throws Exception {
        String got = exchange(
                "HEAD / HTTP/1.1\r\n\r\n" + "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + LAST, 100_000);
        assertEquals(OK.substring(0, OK.length() - 5) + OK + OK, got);
        assertEquals(OK, exchange("GET / HTTP/1.0\r\n\r\n" + SMUGGLED, 100_000), "HTTP/1.0 closes");
    }

    /** The chunked skipper fed one byte at a time stops exactly at the end of the body. */
    @Test
    void chunkedSkipperStopsAtTheEndOfTheBody() {
        String head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked";
        String body = "A\r\n0123456789\r\n1;a=b\r\nx\r\n0\r\nT: 1\r\nU: 2\r\n\r\n";
        String next = "GET";
        HttpFraming f = new HttpFraming();
        ByteBuffer h = ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII));
        assertTrue(f.parseHead(h, 0, h.limit()));
        byte[] all = (body + next).getBytes(StandardCharsets.US_ASCII);
        int i = 0;
        int r = HttpFraming.BODY_MORE;
        while (r == HttpFraming.BODY_MORE) {
            ByteBuffer one = ByteBuffer.wrap(all, i, 1);
            r = f.skipBody(one);
            assertEquals(0, one.remaining(), "consumed byte " + i);
            i++;
        }
        assertEquals(HttpFraming.BODY_DONE, r);
        assertEquals(body.length(), i);
        assertTrue(!f.inBody());
    }
}
