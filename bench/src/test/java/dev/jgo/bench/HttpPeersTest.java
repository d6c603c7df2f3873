package dev.jgo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The wrk peers answer hello on one keep-alive connection, pipelined requests included. */
class HttpPeersTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    /** Reads until {@code want} bodies of "hello" have arrived; returns the text. */
    private static String readHellos(InputStream in, int want) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] b = new byte[4096];
        while (count(sb.toString(), "\r\n\r\nhello") < want) {
            int r = in.read(b);
            if (r < 0) {
                break;
            }
            sb.append(new String(b, 0, r, StandardCharsets.US_ASCII));
        }
        return sb.toString();
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "socket"})
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void answersHelloOnKeepAliveAndPipelinedRequests(String kind) throws Exception {
        try (HttpPeers.Server s = kind.equals("jdk")
                        ? HttpPeers.startJdk("127.0.0.1", 0)
                        : HttpPeers.startSocket("127.0.0.1", 0);
                Socket c = new Socket("127.0.0.1", s.port())) {
            c.setSoTimeout(10_000);
            OutputStream out = c.getOutputStream();
            InputStream in = c.getInputStream();
            out.write(GET.getBytes(StandardCharsets.US_ASCII));
            String first = readHellos(in, 1);
            assertTrue(first.startsWith("HTTP/1.1 200"), first);
            assertTrue(first.toLowerCase().contains("content-length: 5"), first);
            // the same connection again, two requests in one write
            out.write((GET + GET).getBytes(StandardCharsets.US_ASCII));
            assertEquals(2, count(readHellos(in, 2), "HTTP/1.1 200"));
            // Connection: close ends it after the answer
            out.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String last = readHellos(in, 1);
            assertTrue(last.endsWith("hello"), last);
            assertEquals(-1, in.read(), "closed after Connection: close");
        }
    }
}
