package dev.jgo.netpoll.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18: a client that sends and never reads loses its connection at the write timeout (Go's
 * WriteTimeout), on the hello and the echo server, instead of holding it and its goroutine in a
 * blocked write forever.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WriteTimeoutTest {
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";

    /** Runs {@code body} against {@code server} serving a fresh listener; closes everything after. */
    private static void withServer(Consumer<Listener> server, ServerBody body) throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Listener l = Net.listen("127.0.0.1", 0);
            CountDownLatch ended = new CountDownLatch(1);
            rt.go(() -> {
                try {
                    server.accept(l);
                } finally {
                    ended.countDown();
                }
            });
            try {
                body.run(l.port());
            } finally {
                l.close();
            }
            assertTrue(ended.await(10, TimeUnit.SECONDS));
        }
    }

    interface ServerBody {
        void run(int port) throws Exception;
    }

    /**
     * Sends {@code chunk} over and over without reading (the client's receive buffer kept small,
     * so the server's answers fill it at once) until a write fails or 60 MB are sent, and checks
     * that a write failed: the server closed the connection, not before its 1 s write timeout.
     */
    private static void neverReads(int port, byte[] chunk) throws Exception {
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            AtomicReference<Throwable> ended = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            Thread sender = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (long sent = 0; sent < 60L << 20; sent += chunk.length) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    ended.set(e);
                } finally {
                    done.countDown();
                }
            });
            sender.setDaemon(true);
            long t0 = System.nanoTime();
            sender.start();
            try {
                // Without a write timeout the server blocks in its write for ever, stops reading,
                // and the sender blocks too.
                assertTrue(done.await(30, TimeUnit.SECONDS), "the server still holds the connection after 30 s");
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertInstanceOf(IOException.class, ended.get(), "the server closed the connection");
                assertTrue(ms >= 800, "closed after " + ms + " ms, before the 1 s write timeout");
            } finally {
                s.close();
                sender.join(10_000);
                assertFalse(sender.isAlive());
            }
        }
    }

    @Test
    void helloClosesAConnectionWhoseClientNeverReadsAtTheWriteTimeout() throws Exception {
        byte[] requests = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(200).getBytes(StandardCharsets.US_ASCII);
        HttpTimeouts t = new HttpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(1));
        withServer(l -> HelloHttpServer.serve(l, t), port -> neverReads(port, requests));
    }

    @Test
    void echoClosesAConnectionWhoseClientNeverReadsAtTheWriteTimeout() throws Exception {
        byte[] bytes = new byte[64 * 1024];
        Arrays.fill(bytes, (byte) 'x');
        withServer(l -> EchoServer.serve(l, Duration.ofSeconds(1)), port -> neverReads(port, bytes));
    }

    @Test
    void aClientThatReadsIsServedPastTheWriteTimeout() throws Exception {
        HttpTimeouts t = new HttpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMillis(500));
        withServer(l -> HelloHttpServer.serve(l, t), port -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                byte[] req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                long t0 = System.nanoTime();
                // requests over 1.5 s, three write timeouts: each answer is written in time
                while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(1500)) {
                    s.getOutputStream().write(req);
                    byte[] got = s.getInputStream().readNBytes(OK.length());
                    assertEquals(OK, new String(got, StandardCharsets.US_ASCII));
                    Thread.sleep(100);
                }
            }
        });
    }
}
