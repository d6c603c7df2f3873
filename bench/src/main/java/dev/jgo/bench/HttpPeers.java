package dev.jgo.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The peers of jgo's HTTP hello server ({@code jgo serve --http}) for issue 6's {@code wrk}
 * comparison ({@code bench/http-bench.sh}): both answer every request with {@code hello} over
 * HTTP/1.1 keep-alive, as jgo's does.
 *
 * <ul>
 *   <li>{@code jdk}: the JDK's {@code com.sun.net.httpserver.HttpServer} with a
 *       virtual-thread-per-task executor;
 *   <li>{@code socket}: a {@link ServerSocket} accept loop and one virtual thread per connection,
 *       reading request heads with blocking I/O and answering each complete head (pipelining
 *       included), the same algorithm as jgo's {@code HelloHttpServer} on blocking sockets.
 * </ul>
 *
 * <p>Run one with {@code java -cp assembly/target/jgo.jar dev.jgo.bench.HttpPeers jdk|socket
 * [--host H] [--port N] [--seconds S]}; it prints {@code serving ... on HOST:PORT} once it
 * accepts.
 */
public final class HttpPeers {
    private HttpPeers() {}

    static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\n"
                    + "Content-Type: text/plain\r\n"
                    + "Content-Length: 5\r\n"
                    + "\r\n"
                    + "hello")
            .getBytes(StandardCharsets.US_ASCII);

    /** A running server: its port, and {@link #close()} to stop it. */
    public interface Server extends Closeable {
        int port();

        @Override
        void close();
    }

    /** Starts the JDK {@code HttpServer} on virtual threads; {@code port} 0 picks a free one. */
    public static Server startJdk(String host, int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 1024);
        ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor();
        s.setExecutor(vt);
        s.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                ex.getResponseHeaders().set("Content-Type", "text/plain");
                ex.sendResponseHeaders(200, HELLO.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(HELLO);
                }
            }
        });
        s.start();
        return new Server() {
            @Override
            public int port() {
                return s.getAddress().getPort();
            }

            @Override
            public void close() {
                s.stop(0);
                vt.shutdownNow();
            }
        };
    }

    /** Starts the {@link ServerSocket} server, one virtual thread per connection. */
    public static Server startSocket(String host, int port) throws IOException {
        ServerSocket ss = new ServerSocket(port, 1024, InetAddress.getByName(host));
        Thread acceptor = Thread.ofVirtual().name("hello-accept").start(() -> {
            for (; ; ) {
                Socket c;
                try {
                    c = ss.accept();
                } catch (IOException e) {
                    return; // closed
                }
                Thread.startVirtualThread(() -> handle(c));
            }
        });
        return new Server() {
            @Override
            public int port() {
                return ss.getLocalPort();
            }

            @Override
            public void close() {
                try {
                    ss.close();
                    acceptor.join();
                } catch (IOException e) {
                    // already closed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    /** Answers every complete request head on {@code c} until the peer closes or asks to. */
    static void handle(Socket c) {
        try (c;
                InputStream in = c.getInputStream();
                OutputStream out = c.getOutputStream()) {
            c.setTcpNoDelay(true);
            byte[] buf = new byte[8192];
            byte[] outBuf = new byte[RESPONSE.length * 64];
            int have = 0;
            for (; ; ) {
                int r = in.read(buf, have, buf.length - have);
                if (r < 0) {
                    return;
                }
                have += r;
                int start = 0;
                int outLen = 0;
                boolean close = false;
                for (int i = 0; i + 3 < have; i++) {
                    if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                        close |= wantsClose(buf, start, i);
                        if (outLen + RESPONSE.length > outBuf.length) {
                            out.write(outBuf, 0, outLen);
                            outLen = 0;
                        }
                        System.arraycopy(RESPONSE, 0, outBuf, outLen, RESPONSE.length);
                        outLen += RESPONSE.length;
                        start = i + 4;
                        i += 3;
                    }
                }
                System.arraycopy(buf, start, buf, 0, have - start);
                have -= start;
                if (have == buf.length) {
                    return; // a request head larger than the buffer
                }
                if (outLen > 0) {
                    out.write(outBuf, 0, outLen);
                }
                if (close) {
                    return;
                }
            }
        } catch (SocketException e) {
            // peer reset
        } catch (IOException e) {
            // peer gone
        }
    }

    private static boolean wantsClose(byte[] b, int from, int to) {
        String s = new String(b, from, to - from, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        return s.contains("\r\nconnection: close") || s.startsWith("get / http/1.0") && !s.contains("keep-alive");
    }

    /** {@code jdk|socket [--host H] [--port N] [--seconds S]}: serves until killed or S seconds. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !(args[0].equals("jdk") || args[0].equals("socket"))) {
            System.err.println("usage: HttpPeers jdk|socket [--host H] [--port N] [--seconds S]");
            System.exit(2);
        }
        String host = "127.0.0.1";
        int port = 8080;
        int seconds = 0;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new UsageException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--host" -> host = v;
                case "--port" -> port = Args.parseInt(a, v, 0, 65535);
                case "--seconds" -> seconds = Args.parseInt(a, v, 0);
                default -> throw new UsageException("unknown option '" + a + "'");
            }
        }
        Server s = args[0].equals("jdk") ? startJdk(host, port) : startSocket(host, port);
        System.out.println("serving " + args[0] + " HTTP hello on " + host + ":" + s.port());
        System.out.flush();
        CountDownLatch forever = new CountDownLatch(1);
        if (seconds > 0) {
            forever.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
        } else {
            forever.await();
        }
        s.close();
    }
}
