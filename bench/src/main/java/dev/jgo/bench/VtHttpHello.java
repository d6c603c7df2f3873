package dev.jgo.bench;

import dev.jgo.GoRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP hello on {@link ServerSocket} with one JDK virtual thread per connection, and its load
 * client in the same process: plain blocking Java code, the same on both peers. On {@code jgo} every
 * thread (acceptor, connection handlers, clients) comes from {@link GoRuntime#virtualThreadBuilder()},
 * on {@code vt} from {@link Thread#ofVirtual()}, so the comparison is between the two schedulers only.
 *
 * <p>The server answers each request head with {@link HttpPeers#RESPONSE} (HTTP/1.1 keep-alive,
 * body {@code hello}). The client opens {@link #CONNECTIONS} keep-alive connections over loopback
 * (fewer when {@code n} is smaller) and sends {@code n} requests in all, one at a time per
 * connection, request {@code i} asking for {@code /i}. Checksum: the sum of {@code i} over the
 * requests whose response was read whole and right, 0 + 1 + ... + (n-1) when every one was
 * answered; a run also fails unless the server counted {@code n} requests and closed every
 * connection it accepted. Every socket read has a timeout ({@link #READ_TIMEOUT}), every join a
 * bound, so a lost response fails the run instead of hanging it.
 */
public final class VtHttpHello extends VirtualThreadWorkload {
    /** Keep-alive connections: a few per core of a 2-core machine. */
    static final int CONNECTIONS = 4;

    /** The longest any socket read or thread join may wait. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private static final byte[] TAIL = " HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** What the server of the last run counted; for tests. */
    record Counts(long requests, int accepted, int closed, int handlersAlive) {}

    private volatile Counts last;

    @Override
    public String name() {
        return "vt-http";
    }

    @Override
    public String description() {
        return "HTTP hello on ServerSocket, a virtual thread per connection, "
                + CONNECTIONS
                + " keep-alive clients, n requests (jgo: virtualThreadBuilder)";
    }

    @Override
    public int defaultN() {
        return 20_000;
    }

    @Override
    public long expected(int n) {
        return Workload.triangle(n);
    }

    /** The server's counts of the last finished run, or null before the first. */
    Counts lastCounts() {
        return last;
    }

    @Override
    long run(ThreadFactory f, int n) throws Exception {
        Workload.requireN(n, 1, "vt-http");
        return inThread(f, () -> serveAndLoad(f, n));
    }

    /**
     * Starts the server, runs the clients to the end, stops the server and checks its counts.
     * Concurrency: a thread of {@code f}.
     */
    private long serveAndLoad(ThreadFactory f, int n) throws Exception {
        AtomicLong requests = new AtomicLong();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        Queue<Thread> handlers = new ConcurrentLinkedQueue<>();
        int conns = Math.min(CONNECTIONS, n);
        Thread[] clients = new Thread[conns];
        long[] sums = new long[conns];
        Thread acceptor = null;
        try (ServerSocket ss = new ServerSocket(0, 2 * CONNECTIONS, InetAddress.getLoopbackAddress())) {
            acceptor = f.newThread(() -> accept(ss, f, handlers, requests, accepted, closed));
            acceptor.start();
            InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort());
            for (int c = 0; c < conns; c++) {
                int id = c;
                clients[c] = f.newThread(() -> sums[id] = client(addr, id, conns, n));
                clients[c].start();
            }
            for (Thread t : clients) {
                joinBounded(t, "client");
            }
            // Each client closed its connection: its handler reads the end and closes too.
            for (Thread t : handlers) {
                joinBounded(t, "connection handler");
            }
        } finally {
            // The server socket is closed here (try-with-resources): the acceptor's accept fails.
            // After a failure, interrupting a thread blocked on a socket closes that socket; after a
            // clean run every client and handler has ended and this does nothing.
            for (Thread t : clients) {
                if (t != null) {
                    t.interrupt();
                }
            }
            handlers.forEach(Thread::interrupt);
            if (acceptor != null) {
                joinBounded(acceptor, "acceptor");
            }
            int alive = (int) handlers.stream().filter(Thread::isAlive).count();
            last = new Counts(requests.get(), accepted.get(), closed.get(), alive);
        }
        Counts k = last;
        if (k.requests() != n || k.accepted() != conns || k.closed() != conns || k.handlersAlive() != 0) {
            throw new IllegalStateException(
                    "vt-http: server counted " + k + " for " + n + " requests on " + conns + " connections");
        }
        return Arrays.stream(sums).sum();
    }

    /** The accept loop: a handler thread per connection until the server socket closes. */
    private static void accept(
            ServerSocket ss,
            ThreadFactory f,
            Queue<Thread> handlers,
            AtomicLong requests,
            AtomicInteger accepted,
            AtomicInteger closed) {
        for (; ; ) {
            Socket s;
            try {
                s = ss.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            Thread h = f.newThread(() -> {
                try {
                    handle(s, requests);
                } finally {
                    closed.incrementAndGet();
                }
            });
            handlers.add(h); // before start: the joiner sees every handler whose socket it closed
            h.start();
        }
    }

    /**
     * Answers each request head on {@code s} with the fixed response until the client closes;
     * closes {@code s}.
     */
    private static void handle(Socket s, AtomicLong requests) {
        try (s;
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) READ_TIMEOUT.toMillis());
            byte[] buf = new byte[4096];
            int have = 0;
            for (; ; ) {
                int end = headEnd(buf, have);
                while (end < 0) {
                    if (have == buf.length) {
                        return; // a request head larger than the buffer: not ours
                    }
                    int r = in.read(buf, have, buf.length - have);
                    if (r < 0) {
                        return; // the client closed
                    }
                    have += r;
                    end = headEnd(buf, have);
                }
                requests.incrementAndGet();
                out.write(HttpPeers.RESPONSE);
                System.arraycopy(buf, end, buf, 0, have - end);
                have -= end;
            }
        } catch (IOException e) {
            // the client is gone: the run's counts say so
        }
    }

    /**
     * One keep-alive connection's requests: {@code id}, {@code id + conns}, ... below {@code n},
     * one round trip at a time. Returns the sum of the indices answered right.
     */
    private static long client(InetSocketAddress addr, int id, int conns, int n) {
        long sum = 0;
        try (Socket s = new Socket()) {
            s.connect(addr, (int) READ_TIMEOUT.toMillis());
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) READ_TIMEOUT.toMillis());
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] req = new byte[64];
            byte[] resp = new byte[HttpPeers.RESPONSE.length];
            for (int i = id; i < n; i += conns) {
                int len = request(req, i);
                out.write(req, 0, len);
                if (in.readNBytes(resp, 0, resp.length) == resp.length && Arrays.equals(resp, HttpPeers.RESPONSE)) {
                    sum += i;
                } else {
                    break; // short or wrong: the checksum misses this request and the rest
                }
            }
        } catch (SocketException e) {
            // reset: the checksum misses the rest
        } catch (IOException e) {
            // timeout or closed: likewise
        }
        return sum;
    }

    /** Writes {@code GET /i HTTP/1.1} with a Host header into {@code b}; returns its length. */
    static int request(byte[] b, int i) {
        int k = 0;
        b[k++] = 'G';
        b[k++] = 'E';
        b[k++] = 'T';
        b[k++] = ' ';
        b[k++] = '/';
        byte[] digits = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, b, k, digits.length);
        k += digits.length;
        System.arraycopy(TAIL, 0, b, k, TAIL.length);
        return k + TAIL.length;
    }

    /** The index just past the first {@code \r\n\r\n} in {@code b[0, have)}, or -1. */
    static int headEnd(byte[] b, int have) {
        for (int i = 0; i + 3 < have; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /** Joins {@code t} within {@link #READ_TIMEOUT} plus a margin, else fails the run. */
    private static void joinBounded(Thread t, String what) throws InterruptedException {
        if (!t.join(READ_TIMEOUT.plusSeconds(10))) {
            throw new IllegalStateException("vt-http: " + what + " " + t + " still running after "
                    + READ_TIMEOUT.plusSeconds(10).toSeconds() + " s");
        }
    }
}
