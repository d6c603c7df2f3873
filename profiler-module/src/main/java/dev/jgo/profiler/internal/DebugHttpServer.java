package dev.jgo.profiler.internal;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.prof.DebugServer;
import dev.jgo.prof.Pprof;
import dev.jgo.prof.Trace;
import dev.jgo.profiler.internal.DebugHttp.Request;
import dev.jgo.profiler.internal.DebugHttp.Response;
import dev.jgo.spi.RuntimeRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The debug endpoints of {@link DebugServer}: Go's {@code net/http/pprof} on jgo's netpoll.
 *
 * <h2>Design note: serving from goroutines</h2>
 *
 * <ol>
 *   <li>{@link #start} binds with {@code Net.listen} (any thread) and starts one accepting
 *       goroutine on the runtime; each accepted connection gets its own goroutine, which reads
 *       request heads (at most 8 KiB, GET and HEAD only) and answers them in turn, keeping the
 *       connection open unless the client sends {@code Connection: close}, speaks HTTP/1.0 or
 *       sends a body: a body is never read, the connection closes after the answer instead
 *       ({@link DebugHttp#parse}), so a body is never taken for a request.
 *   <li>Work that blocks or runs long (waiting out a profile's seconds, rendering a profile or a
 *       trace, temporary files) runs inside {@code Go.blockingLong}/{@code Go.blocking}, so the
 *       handler's P goes to other goroutines meanwhile, as Go's handler would leave its P in a
 *       syscall or a sleep.
 *   <li>Every answer carries {@code Content-Length}. A CPU profile is small and is buffered in
 *       memory; a trace can be hundreds of MB, so it goes to a temporary file that is then sent
 *       in 64 KiB pieces.
 *   <li>{@link #close} (or the runtime's close, through a {@link RuntimeRegistry} listener)
 *       closes the listener and every open connection, and stops a profile or trace in
 *       progress itself (the handler's goroutine may never run again if its runtime is
 *       closing), so the process-wide profiler is free afterwards; whichever of the handler
 *       and close gets the stopper first runs it, and the other waits until it has finished
 *       ({@link #stopOnce}).
 * </ol>
 */
public final class DebugHttpServer implements DebugServer {
    static final int MAX_SECONDS = 3600;
    /** The logger for accept errors and warnings. */
    static final String LOGGER = "dev.jgo.prof";

    private static final int MAX_HEAD = 8192;

    /** How long a request head may take from its first byte (Go's ReadHeaderTimeout). */
    public static final Duration DEFAULT_READ_HEADER_TIMEOUT = Duration.ofSeconds(10);

    /** How long a keep-alive connection may wait for its next request (Go's IdleTimeout). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Default least time between two goroutine dumps of one server: each dump stops the world
     * (the profile reads every goroutine's stack), so a client asking for dumps in a loop would
     * stall the application; further requests get 429 with Retry-After.
     */
    public static final Duration DEFAULT_GOROUTINE_DUMP_INTERVAL = Duration.ofSeconds(1);

    private final GoRuntime rt;
    private final dev.jgo.net.Listener listener;
    private final Duration readHeaderTimeout;
    private final Duration idleTimeout;
    private final long dumpIntervalNanos;

    /** The bearer token every request must carry ({@code Authorization: Bearer T}), or null for none. */
    private final byte[] token;

    /** {@link System#nanoTime} before which no further goroutine dump is taken; 0 before the first. */
    private final AtomicLong nextDumpAt = new AtomicLong();

    private final Set<dev.jgo.net.Conn> conns = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closing = new AtomicBoolean();
    /**
     * The wake-up latches of handlers waiting out their seconds ({@link #waitOut}); {@link #close}
     * counts each down once it has stopped what they started.
     */
    private final Set<CountDownLatch> waits = ConcurrentHashMap.newKeySet();

    private final RuntimeRegistry.Listener onRuntimeClose;
    /** Stops the CPU profile / trace this server started and has not stopped yet, else null. */
    private final AtomicReference<Runnable> cpuStop = new AtomicReference<>();

    private final AtomicReference<Runnable> traceStop = new AtomicReference<>();

    /**
     * Held by a handler from the start of its profile or trace until its stopper is set, and by
     * {@link #close} while it runs the stoppers. Invariant: when close returns, nothing this server
     * started still runs (without it, a handler between its start and its stopper's set outlived
     * close, and the process-wide profiler or tracer stayed busy after it). Held for a few
     * microseconds; a goroutine blocks its carrier meanwhile.
     */
    private final Object starting = new Object();
    /** The temporary file of the trace in progress, deleted by whoever stops it without sending it. */
    volatile Path traceFile;

    /**
     * {@link System#nanoTime} at which the CPU profile / trace that a debug server started is due
     * to end, or 0: what a 409 tells the next client. Process-wide, as the profiler and tracer are.
     */
    static volatile long cpuEndsAt;

    static volatile long traceEndsAt;

    private DebugHttpServer(
            GoRuntime rt,
            dev.jgo.net.Listener listener,
            Duration readHeaderTimeout,
            Duration idleTimeout,
            Duration dumpInterval,
            String token) {
        this.rt = rt;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.listener = listener;
        this.readHeaderTimeout = readHeaderTimeout;
        this.idleTimeout = idleTimeout;
        this.dumpIntervalNanos = dumpInterval.toNanos();
        this.onRuntimeClose = new RuntimeRegistry.Listener() {
            @Override
            public void added(GoRuntime r) {}

            @Override
            public void removed(GoRuntime r) {
                if (r == rt) {
                    close();
                }
            }
        };
    }

    /** Binds and starts the accepting goroutine, with the default timeouts. Concurrency: any thread. */
    static DebugServer start(GoRuntime rt, String host, int port) throws IOException {
        return start(rt, host, port, DEFAULT_READ_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT);
    }

    /**
     * As {@link DebugServer#start(GoRuntime, String, int)}, with the read-header and idle timeouts
     * of its connections (for {@code jgo serve}'s options). Concurrency: any thread.
     *
     * @throws IllegalArgumentException if a timeout is not positive
     */
    public static DebugServer start(
            GoRuntime rt, String host, int port, Duration readHeaderTimeout, Duration idleTimeout) throws IOException {
        return start(rt, host, port, readHeaderTimeout, idleTimeout, DEFAULT_GOROUTINE_DUMP_INTERVAL);
    }

    /**
     * As {@link #start(GoRuntime, String, int, Duration, Duration)}, with the least time between
     * two goroutine dumps ({@link #DEFAULT_GOROUTINE_DUMP_INTERVAL}). Concurrency: any thread.
     *
     * @throws IllegalArgumentException if a timeout or the interval is not positive
     */
    public static DebugServer start(
            GoRuntime rt,
            String host,
            int port,
            Duration readHeaderTimeout,
            Duration idleTimeout,
            Duration goroutineDumpInterval)
            throws IOException {
        return start(rt, host, port, readHeaderTimeout, idleTimeout, goroutineDumpInterval, null);
    }

    /**
     * As {@link #start(GoRuntime, String, int, Duration, Duration, Duration)}; with a {@code
     * token}, every request must carry {@code Authorization: Bearer TOKEN} and is answered 401
     * without it (null: no token). Concurrency: any thread.
     *
     * @throws IllegalArgumentException if a timeout or the interval is not positive, or the token
     *     is empty or holds characters a header cannot carry
     */
    public static DebugServer start(
            GoRuntime rt,
            String host,
            int port,
            Duration readHeaderTimeout,
            Duration idleTimeout,
            Duration goroutineDumpInterval,
            String token)
            throws IOException {
        requirePositive(readHeaderTimeout, "read-header timeout");
        requirePositive(idleTimeout, "idle timeout");
        requirePositive(goroutineDumpInterval, "goroutine dump interval");
        if (!RuntimeRegistry.live().contains(rt)) {
            throw new IllegalStateException("cannot serve on a closed runtime: " + rt);
        }
        DebugHttpAuth.check(token);
        DebugServer s = serve(
                rt, dev.jgo.net.Net.listen(host, port), readHeaderTimeout, idleTimeout, goroutineDumpInterval, token);
        if (!isLoopback(host) && token == null) {
            dev.jgo.net.AcceptLoop.log(
                    System.getLogger(LOGGER),
                    Level.WARNING,
                    "debug endpoints exposed on " + host + ":" + s.port()
                            + ": anyone who can connect gets goroutine dumps, profiles and traces;"
                            + " bind 127.0.0.1 unless a firewall guards the port, or set a token");
        }
        return s;
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }

    /** Whether {@code host} names only this machine (a loopback literal or "localhost"). */
    static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return java.net.InetAddress.ofLiteral(host).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false; // a name: it may resolve to any address
        }
    }

    /**
     * Serves on {@code listener}, which it closes when it closes; tests hand it a listener that
     * fails on purpose. Concurrency: any thread.
     */
    static DebugServer serve(GoRuntime rt, dev.jgo.net.Listener listener) {
        return serve(rt, listener, DEFAULT_READ_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT);
    }

    static DebugServer serve(
            GoRuntime rt, dev.jgo.net.Listener listener, Duration readHeaderTimeout, Duration idleTimeout) {
        return serve(rt, listener, readHeaderTimeout, idleTimeout, DEFAULT_GOROUTINE_DUMP_INTERVAL);
    }

    static DebugServer serve(
            GoRuntime rt,
            dev.jgo.net.Listener listener,
            Duration readHeaderTimeout,
            Duration idleTimeout,
            Duration goroutineDumpInterval) {
        return serve(rt, listener, readHeaderTimeout, idleTimeout, goroutineDumpInterval, null);
    }

    static DebugServer serve(
            GoRuntime rt,
            dev.jgo.net.Listener listener,
            Duration readHeaderTimeout,
            Duration idleTimeout,
            Duration goroutineDumpInterval,
            String token) {
        DebugHttpServer s =
                new DebugHttpServer(rt, listener, readHeaderTimeout, idleTimeout, goroutineDumpInterval, token);
        RuntimeRegistry.addListener(s.onRuntimeClose);
        try {
            rt.go(s::acceptLoop);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        if (!RuntimeRegistry.live().contains(rt)) {
            s.close(); // closed before the listener was added
        }
        return s;
    }

    @Override
    public int port() {
        return listener.port();
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        RuntimeRegistry.removeListener(onRuntimeClose);
        listener.close();
        for (dev.jgo.net.Conn c : conns) {
            c.close();
        }
        // A handler may never run again (its runtime is closing): stop what it started here, so
        // the process-wide profiler and tracer are free for the next user; only then wake the
        // handlers, which find nothing left to stop and answer 503 on a closed connection.
        synchronized (starting) { // a handler between its start and its stopper's set has finished
            stopOnce(cpuStop);
            if (stopOnce(traceStop)) {
                deleteQuietly(traceFile);
            }
        }
        for (CountDownLatch w : waits) {
            w.countDown();
        }
    }

    @Override
    public String toString() {
        return "DebugServer[:" + port() + " on " + rt + "]";
    }

    /** Accepts until the listener is closed ({@link dev.jgo.net.AcceptLoop}). Concurrency: the accepting goroutine. */
    private void acceptLoop() {
        dev.jgo.net.AcceptLoop.serve(
                listener,
                "debug server",
                System.getLogger(LOGGER),
                dev.jgo.net.AcceptLoop.BURST_QUIET,
                closing::get,
                c -> {
                    conns.add(c);
                    if (closing.get()) {
                        c.close(); // close() may have closed the connections before this one was added
                        return;
                    }
                    Go.go(() -> serveConn(c));
                });
    }

    // ---- HTTP ----

    /**
     * Serves one connection: request heads in turn, each read under an absolute deadline from its
     * first byte (from the accept for the first), the wait for the next one under the idle
     * deadline; a read past its deadline closes the connection without an answer, as Go's server
     * does. Concurrency: the connection's goroutine.
     */
    private void serveConn(dev.jgo.net.Conn c) {
        try (c) {
            ByteBuffer in = ByteBuffer.allocate(MAX_HEAD);
            boolean first = true;
            for (; ; ) {
                // Invariant: a partial head reads under its header deadline, set once; an empty
                // buffer between requests under the idle deadline.
                boolean headerArmed = false;
                if (first || in.position() > 0) {
                    c.setReadDeadline(Instant.now().plus(readHeaderTimeout));
                    headerArmed = true;
                } else {
                    c.setReadDeadline(Instant.now().plus(idleTimeout));
                }
                first = false;
                int end;
                while ((end = DebugHttp.headEnd(in)) < 0) {
                    if (!in.hasRemaining()) {
                        DebugHttp.send(
                                c,
                                Response.text(431, "request head larger than " + MAX_HEAD + " bytes\n"),
                                false,
                                true);
                        DebugHttp.closeWriteAndWait(c);
                        return;
                    }
                    if (c.read(in) < 0) {
                        return;
                    }
                    if (!headerArmed) {
                        c.setReadDeadline(Instant.now().plus(readHeaderTimeout));
                        headerArmed = true;
                    }
                }
                c.setReadDeadline(null); // handling may take long; a profile watches its client
                String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
                in.flip().position(end + 4);
                in.compact();
                Request req;
                try {
                    req = DebugHttp.parse(head);
                } catch (IllegalArgumentException e) {
                    DebugHttp.send(c, Response.text(400, e.getMessage() + "\n"), false, true);
                    DebugHttp.closeWriteAndWait(c);
                    return;
                }
                // Invariant: with a token, no endpoint answers a request that lacks it.
                Response r = token != null && !DebugHttpAuth.authorized(head, token)
                        ? DebugHttpAuth.unauthorized()
                        : handle(req, c, in);
                if (r == null) {
                    return; // the client left during a profile or trace: nobody to answer
                }
                DebugHttp.send(c, r, req.method().equals("HEAD"), req.close());
                if (req.body()) {
                    DebugHttp.closeWriteAndWait(c); // the body is never read: see DebugHttp.parse
                }
                if (req.close()) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // peer gone, server closed, or a failure while sending: drop the connection; a
            // debug endpoint must not end the runtime as an unrecovered panic
        } finally {
            conns.remove(c);
        }
    }

    // ---- endpoints ----

    private static final String INDEX = """
            <html><head><title>/debug/pprof/</title></head><body>
            <p>jgo debug endpoints. Profiles and traces cover every live runtime.</p>
            <ul>
            <li><a href="/debug/pprof/profile?seconds=30">profile</a>: CPU profile, gzipped pprof (seconds=1..3600, default 30); go tool pprof http://HOST/debug/pprof/profile?seconds=5</li>
            <li><a href="/debug/pprof/goroutine?debug=1">goroutine</a>: goroutine profile (debug=0 pprof, 1 grouped text, 2 every goroutine)</li>
            <li><a href="/debug/pprof/goroutine?debug=2">goroutine?debug=2</a>: full goroutine dump</li>
            <li><a href="/debug/jgo/trace?seconds=1">trace</a>: execution trace, Chrome trace-event JSON for ui.perfetto.dev (seconds=1..3600, default 1)</li>
            <li><a href="/debug/jgo/flightrecorder">flightrecorder</a>: the window of the running flight recorder (Trace.newFlightRecorder), same JSON as trace</li>
            <li><a href="/debug/jgo/sched">sched</a>: schedtrace with per-P and per-M detail</li>
            </ul></body></html>
            """;

    /** The answer to {@code req} (for tests: no connection to watch). */
    Response handle(Request req) {
        return handle(req, null, null);
    }

    /**
     * The answer to {@code req}, or null if its client left while it waited ({@link ClientWatch}
     * on {@code c}, reading into {@code in}, the connection's input buffer). Concurrency: the
     * connection's goroutine.
     */
    private Response handle(Request req, dev.jgo.net.Conn c, ByteBuffer in) {
        if (!req.method().equals("GET") && !req.method().equals("HEAD")) {
            return Response.text(405, "method " + req.method() + " not allowed: use GET\n");
        }
        try {
            return switch (req.path()) {
                case "/debug/pprof/", "/debug/pprof" ->
                    new Response(200, "text/html; charset=utf-8", INDEX.getBytes(StandardCharsets.UTF_8), null, null);
                case "/debug/pprof/profile" -> profile(intParam(req, "seconds", 30, 1, MAX_SECONDS), c, in);
                case "/debug/pprof/goroutine" ->
                    goroutine(intParam(req, "debug", 0, 0, 2), intParam(req, "all", 0, 0, 1) == 1);
                case "/debug/jgo/trace" -> trace(intParam(req, "seconds", 1, 1, MAX_SECONDS), c, in);
                case "/debug/jgo/flightrecorder" -> flightRecorder();
                case "/debug/jgo/sched" -> sched(intParam(req, "all", 0, 0, 1) == 1);
                default -> Response.text(404, "404 page not found: " + req.path() + " (see /debug/pprof/)\n");
            };
        } catch (BadParam e) {
            return Response.text(400, e.getMessage() + "\n");
        } catch (RuntimeException e) {
            // a failing endpoint answers 500; it must never end the runtime as an unrecovered panic
            return Response.text(500, "failed: " + e + "\n");
        }
    }

    /** A query parameter out of range or malformed: a 400 answer. */
    static final class BadParam extends Exception {
        BadParam(String msg) {
            super(msg, null, false, false);
        }
    }

    static int intParam(Request req, String name, int dflt, int min, int max) throws BadParam {
        String v = req.query().get(name);
        if (v == null) {
            return dflt;
        }
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new BadParam("bad " + name + " parameter '" + v + "': must be an integer " + min + ".." + max);
        }
        if (n < min || n > max) {
            throw new BadParam(name + "=" + n + " out of range: must be " + min + ".." + max);
        }
        return n;
    }

    /** Why {@link #waitOut} returned. */
    enum Ended {
        TIME_UP,
        SERVER_CLOSED,
        CLIENT_GONE
    }

    /**
     * Waits {@code seconds}, or until the server closes, or until the client of {@code c} leaves
     * (watched by a {@link ClientWatch} reading into {@code in}; no watch if {@code c} is null).
     * Concurrency: the connection's goroutine.
     */
    private Ended waitOut(int seconds, dev.jgo.net.Conn c, ByteBuffer in) {
        CountDownLatch wake = new CountDownLatch(1);
        waits.add(wake);
        if (closing.get()) {
            wake.countDown(); // close() may have counted down the latches before this one was added
        }
        ClientWatch watch = c == null ? null : ClientWatch.start(c, in, wake);
        try {
            Go.blockingLong(() -> wake.await(seconds, TimeUnit.SECONDS));
        } finally {
            waits.remove(wake);
            if (watch != null) {
                watch.abort();
            }
        }
        if (closing.get()) {
            return Ended.SERVER_CLOSED;
        }
        return watch != null && watch.gone() ? Ended.CLIENT_GONE : Ended.TIME_UP;
    }

    /**
     * Runs the stopper of a profile or trace this server started, unless someone ran it already
     * (the handler when its seconds are up or its client left, or {@link #close}); returns only
     * once it has run to its end, whoever ran it. Concurrency: any thread; a goroutine calls it
     * inside {@code Go.blockingLong}, as it may wait out another caller's stop.
     */
    static boolean stopOnce(AtomicReference<Runnable> stopper) {
        // Invariant: when stopOnce returns, the stopper it found has finished, so close() never
        // returns while a handler woken by its client's leaving (close closes the connections)
        // still stops the profiler or renders the trace.
        synchronized (stopper) {
            Runnable r = stopper.getAndSet(null);
            if (r == null) {
                return false;
            }
            r.run();
            return true;
        }
    }

    private static void deleteQuietly(Path f) {
        if (f == null) {
            return;
        }
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            // a temp file the OS cleans up eventually
        }
    }

    /** The 409 answer for a CPU profile or trace requested while one runs. */
    private static Response busy(String what, long endsAt, String cause) {
        long left = endsAt == 0 ? 0 : TimeUnit.NANOSECONDS.toSeconds(endsAt - System.nanoTime() + 999_999_999L);
        String msg = endsAt == 0
                ? "a " + what + " started outside the debug endpoints is running (" + cause
                        + "); it ends when its owner stops it\n"
                : "a " + what + " is already running, one at a time: it ends in " + Math.max(1, left)
                        + " s; try again then\n";
        return Response.text(409, msg).retryAfter(endsAt == 0 ? 0 : Math.max(1, left));
    }

    private Response profile(int seconds, dev.jgo.net.Conn c, ByteBuffer in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        synchronized (starting) { // see "starting"
            if (closing.get()) {
                return Response.text(503, "the debug server was closed during the profile\n");
            }
            try {
                Pprof.startCpuProfile(out);
            } catch (IllegalStateException e) {
                return busy("CPU profile", cpuEndsAt, e.getMessage());
            }
            cpuEndsAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            cpuStop.set(() -> {
                cpuEndsAt = 0;
                Pprof.stopCpuProfile();
            });
        }
        Ended why = Ended.SERVER_CLOSED;
        try {
            why = waitOut(seconds, c, in);
        } finally {
            boolean mine = Go.blockingLong(() -> stopOnce(cpuStop));
            if (!mine) {
                return Response.text(503, "the debug server was closed during the profile\n");
            }
        }
        if (why == Ended.CLIENT_GONE) {
            return null;
        }
        return new Response(200, "application/octet-stream", out.toByteArray(), null, "profile");
    }

    /**
     * A goroutine dump, at most one per {@link #dumpIntervalNanos} per server: a request inside
     * the interval gets 429 with the seconds to wait in Retry-After.
     *
     * <p>Invariant: two dumps of this server start at least the interval apart ({@link
     * #nextDumpAt} is claimed by one CAS before a dump starts).
     */
    private Response goroutine(int debug, boolean all) {
        long now = System.nanoTime();
        for (; ; ) {
            long next = nextDumpAt.get();
            if (next != 0 && now - next < 0) {
                long wait = TimeUnit.NANOSECONDS.toSeconds(next - now + 999_999_999L);
                return Response.text(
                                429,
                                "goroutine dumps stop the world: at most one every "
                                        + Duration.ofNanos(dumpIntervalNanos).toMillis() + " ms; try again in "
                                        + Math.max(1, wait) + " s\n")
                        .retryAfter(Math.max(1, wait));
            }
            if (nextDumpAt.compareAndSet(next, now + dumpIntervalNanos)) {
                break;
            }
        }
        byte[] b = Go.blocking(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            GoroutineProfile.write(out, debug, all ? null : rt); // this server's runtime unless all=1
            return out.toByteArray();
        });
        return debug == 0
                ? new Response(200, "application/octet-stream", b, null, "goroutine")
                : new Response(200, "text/plain; charset=utf-8", b, null, null);
    }

    private Response trace(int seconds, dev.jgo.net.Conn c, ByteBuffer in) {
        Path f = Go.blocking(() -> Files.createTempFile("jgo-trace", ".json"));
        OutputStream out = Go.blocking(() -> new java.io.BufferedOutputStream(Files.newOutputStream(f), 1 << 16));
        AtomicBoolean failed = new AtomicBoolean();
        IllegalStateException refused = null;
        boolean closed = false;
        synchronized (starting) { // see "starting"
            try {
                if (closing.get()) {
                    closed = true;
                } else {
                    Trace.start(out);
                    traceEndsAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                    traceFile = f;
                    traceStop.set(() -> {
                        traceEndsAt = 0;
                        try (out) {
                            Trace.stop();
                        } catch (IOException | RuntimeException e) {
                            failed.set(true);
                        }
                    });
                }
            } catch (IllegalStateException e) {
                refused = e;
            }
        }
        if (closed || refused != null) {
            Go.blocking(() -> {
                out.close();
                return Files.deleteIfExists(f);
            });
            return closed
                    ? Response.text(503, "the debug server was closed during the trace\n")
                    : busy("trace", traceEndsAt, refused.getMessage());
        }
        boolean mine;
        Ended why = Ended.SERVER_CLOSED;
        try {
            why = waitOut(seconds, c, in);
        } finally {
            mine = Go.blockingLong(() -> stopOnce(traceStop));
        }
        // Invariant: a trace that is not sent is deleted here (or by close, which stopped it).
        if (!mine || failed.get() || why == Ended.CLIENT_GONE) {
            Go.blocking(() -> Files.deleteIfExists(f));
            if (why == Ended.CLIENT_GONE && mine && !failed.get()) {
                return null;
            }
            return mine
                    ? Response.text(500, "writing the trace failed\n")
                    : Response.text(503, "the debug server was closed during the trace\n");
        }
        return new Response(200, "application/json", null, f, "trace.json");
    }

    /** The window of the newest running flight recorder, written with the recorder's size bound. */
    private Response flightRecorder() {
        JgoFlightRecorder r = JgoFlightRecorder.newest();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            if (r == null) {
                throw new IllegalStateException("not started");
            }
            Go.blockingLong(() -> {
                r.writeTo(out);
                return null;
            });
        } catch (IllegalStateException e) {
            return Response.text(404, "no flight recorder running: start one with Trace.newFlightRecorder\n");
        }
        return new Response(200, "application/json", out.toByteArray(), null, "flightrecorder.json");
    }

    /** The schedtrace of this server's runtime, or of every live runtime of the JVM with all=1. */
    private Response sched(boolean all) {
        StringBuilder sb = new StringBuilder();
        for (GoRuntime r : all ? RuntimeRegistry.live() : java.util.List.of(rt)) {
            sb.append("# ").append(r).append('\n');
            try {
                sb.append(r.view().schedtrace(true));
            } catch (RuntimeException e) {
                sb.append("(no schedtrace: ").append(e.getMessage()).append(")\n");
            }
        }
        return Response.text(200, sb.toString());
    }
}
