package dev.jgo.assembly.internal;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.bench.Args;
import dev.jgo.bench.RuntimeOptions;
import dev.jgo.bench.UsageException;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import dev.jgo.netpoll.internal.EchoServer;
import dev.jgo.netpoll.internal.HelloHttpServer;
import dev.jgo.netpoll.internal.HttpTimeouts;
import dev.jgo.netpoll.internal.LimitListener;
import dev.jgo.prof.DebugServer;
import dev.jgo.profiler.internal.DebugHttpServer;
import dev.jgo.spi.PolicyControl;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jgo serve}: issue 6's examples on jgo's netpoll, a goroutine per connection: the HTTP/1.1
 * keep-alive server that answers {@code hello} (for {@code wrk}), or an echo server; with {@code
 * --debug-port}, the debug endpoints of {@link DebugServer} beside it, served by the same runtime.
 * picocli reads the options; their values are checked by {@link Args} as for the other commands.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Serve HTTP \"hello\" (keep-alive; for wrk) or echo on jgo's netpoll, a goroutine per"
                + " connection; with --debug-port, the debug endpoints beside it.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--http", description = "serve HTTP hello (the default)")
    boolean http;

    @Option(names = "--echo", description = "serve echo")
    boolean echo;

    @Option(names = "--host", paramLabel = "H", description = "address to listen on (default 127.0.0.1)")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "N", description = "port, 0 = any free one (default 8080)")
    String port = "8080";

    @Option(
            names = "--procs",
            paramLabel = "P",
            description = "GOMAXPROCS, 1 to " + Args.MAX_PROCS + " (default: GOMAXPROCS, else the CPU count)")
    String procs;

    @Option(names = "--seconds", paramLabel = "S", description = "stop after S seconds (default: run until killed)")
    String seconds = "0";

    @Option(
            names = "--debug-port",
            paramLabel = "N",
            description = "also serve the debug endpoints"
                    + " (/debug/pprof/profile, /debug/pprof/goroutine, /debug/jgo/trace, /debug/jgo/sched) on port N,"
                    + " 0 = any free port (default: none)")
    String debugPort;

    @Option(
            names = "--debug-host",
            paramLabel = "D",
            description = "address of the debug endpoints (default"
                    + " 127.0.0.1, whatever --host says); another exposes goroutine dumps and profiles to anyone who can"
                    + " connect, with a warning")
    String debugHost = "127.0.0.1";

    @Option(
            names = "--read-header-timeout",
            paramLabel = "T",
            description = "time a request head may take from"
                    + " its first byte, on both servers (Go's ReadHeaderTimeout; default 10s); T is 500ms, 10s, 2m or plain"
                    + " seconds")
    String readHeaderTimeout;

    @Option(
            names = "--idle-timeout",
            paramLabel = "T",
            description =
                    "time a keep-alive connection may wait for" + " its next request (Go's IdleTimeout; default 60s)")
    String idleTimeout;

    @Option(
            names = "--write-timeout",
            paramLabel = "T",
            description = "time the answers to a read may take to"
                    + " write, on the hello and echo servers (Go's WriteTimeout; default 30s): a client that sends and never"
                    + " reads loses its connection")
    String writeTimeout;

    @Option(
            names = "--max-conns",
            paramLabel = "N",
            description = "at most N connections open at once on the"
                    + " hello or echo server (Go's netutil.LimitListener): further ones wait in the kernel's accept queue"
                    + " until one closes (default: no limit)")
    String maxConns;

    @Option(
            names = "--debug-token",
            paramLabel = "TOKEN",
            defaultValue = "${env:JGO_DEBUG_TOKEN}",
            description = "the debug endpoints answer only requests with Authorization: Bearer TOKEN, others"
                    + " get 401 (default: $JGO_DEBUG_TOKEN, which keeps it out of the process list; none if unset)")
    String debugToken;

    @Mixin
    RuntimeMixin runtime;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        serve(Main.out(spec), UnaryOperator.identity());
        return Main.OK;
    }

    static void run(List<String> args, PrintStream out) {
        run(args, out, UnaryOperator.identity());
    }

    /**
     * Parses {@code args} as {@code jgo serve} does and serves on {@code wrap} applied to the
     * listener (tests wrap it in one that fails).
     *
     * @throws IllegalStateException if the server ends on an error, or its listener is closed by
     *     anything but the end of {@code --seconds}: {@code jgo serve} then exits with 1
     */
    static void run(List<String> args, PrintStream out, UnaryOperator<Listener> wrap) {
        ServeCommand c = new ServeCommand();
        new CommandLine(c).parseArgs(args.toArray(String[]::new));
        c.serve(out, wrap);
    }

    private void serve(PrintStream out, UnaryOperator<Listener> wrap) {
        if (http && echo) {
            throw new UsageException("--http and --echo exclude each other");
        }
        int port = Args.parseInt("--port", this.port, 0, 65535);
        int procs =
                this.procs == null ? dev.jgo.spi.RuntimeConfig.defaultProcs() : Args.parseProcs("--procs", this.procs);
        long seconds = Args.parseInt("--seconds", this.seconds, 0);
        int debugPort = this.debugPort == null ? -1 : Args.parseInt("--debug-port", this.debugPort, 0, 65535);
        Duration readHeaderTimeout = this.readHeaderTimeout == null
                ? HttpTimeouts.DEFAULT.readHeader()
                : parseDuration("--read-header-timeout", this.readHeaderTimeout);
        Duration idleTimeout = this.idleTimeout == null
                ? HttpTimeouts.DEFAULT.idle()
                : parseDuration("--idle-timeout", this.idleTimeout);
        Duration writeTimeout = this.writeTimeout == null
                ? HttpTimeouts.DEFAULT_WRITE
                : parseDuration("--write-timeout", this.writeTimeout);
        int maxConns = this.maxConns == null ? 0 : Args.parseInt("--max-conns", this.maxConns, 1);
        String token = this.debugToken == null || this.debugToken.isEmpty() ? null : this.debugToken;
        if (token != null && !token.matches("[A-Za-z0-9\\-._~+/]+=*")) {
            throw new UsageException("option --debug-token must be letters, digits and -._~+/ (a bearer token)");
        }
        RuntimeOptions ro = runtime.options();
        boolean http = !echo;
        String host = this.host;
        String debugHost = this.debugHost;
        boolean isHttp = http;
        String h = host;
        int p = port;
        long secs = seconds;
        int dp = debugPort;
        // Invariant: the debug endpoints listen on loopback unless --debug-host says otherwise.
        String dh = debugHost;
        HttpTimeouts timeouts = new HttpTimeouts(readHeaderTimeout, idleTimeout, writeTimeout);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (GoRuntime rt = ro.build(GoRuntime.builder().procs(procs))) {
            rt.run(() -> {
                Listener l;
                try {
                    l = Net.listen(h, p);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot listen on " + h + ":" + p + ": " + e.getMessage(), e);
                }
                String policies = rt instanceof PolicyControl pc
                        ? pc.stealPolicy().name() + "/" + pc.spinPolicy().name() + "/"
                                + pc.fairnessPolicy().name()
                        : "unknown";
                out.println("serving " + (isHttp ? "HTTP hello" : "echo") + " on " + h + ":" + l.port()
                        + " (GOMAXPROCS " + rt.gomaxprocs() + ", policies " + policies + ")"
                        + (secs > 0 ? " for " + secs + " s" : ""));
                DebugServer debug = dp < 0 ? null : startDebug(rt, dh, dp, l, timeouts, token);
                if (debug != null) {
                    out.println("debug endpoints on http://" + dh + ":" + debug.port() + "/debug/pprof/"
                            + (token != null ? " (Authorization: Bearer token required)" : ""));
                }
                out.flush();
                CountDownLatch stop = new CountDownLatch(1);
                AtomicBoolean stopping = new AtomicBoolean();
                // Invariant: with --max-conns, at most that many connections are open at once.
                Listener served = wrap.apply(maxConns > 0 ? LimitListener.of(l, maxConns) : l);
                Go.go(() -> {
                    try {
                        if (isHttp) {
                            HelloHttpServer.serve(served, timeouts);
                        } else {
                            EchoServer.serve(served, timeouts.write());
                        }
                        // serve returns only once its listener is closed: by us, or else a fault
                        if (!stopping.get()) {
                            failure.compareAndSet(null, new IllegalStateException("its listener was closed"));
                        }
                    } catch (RuntimeException | Error e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        stop.countDown();
                    }
                });
                Go.blockingLong(() -> secs > 0 ? stop.await(secs, TimeUnit.SECONDS) : awaitForever(stop));
                stopping.set(true);
                if (debug != null) {
                    debug.close();
                }
                served.close();
                return null;
            });
        }
        Throwable f = failure.get();
        if (f != null) {
            // Invariant: a server that ends before its time is a failure (exit code 1), never "stopped".
            throw new IllegalStateException(
                    "the " + (http ? "HTTP hello" : "echo") + " server ended on an error: " + f, f);
        }
        out.println("stopped");
    }

    /** The debug server on {@code host:port}, or a usage error (the listener closed) if it cannot bind. */
    private static DebugServer startDebug(
            GoRuntime rt, String host, int port, Listener served, HttpTimeouts timeouts, String token) {
        try {
            return DebugHttpServer.start(
                    rt,
                    host,
                    port,
                    timeouts.readHeader(),
                    timeouts.idle(),
                    DebugHttpServer.DEFAULT_GOROUTINE_DUMP_INTERVAL,
                    token);
        } catch (IOException e) {
            served.close();
            throw new IllegalStateException(
                    "cannot listen on " + host + ":" + port + " for the debug endpoints: " + e.getMessage(), e);
        }
    }

    private static boolean awaitForever(CountDownLatch l) throws InterruptedException {
        l.await();
        return true;
    }

    /** A positive duration: {@code 500ms}, {@code 10s}, {@code 2m}, or plain (decimal) seconds. */
    static Duration parseDuration(String opt, String v) {
        String t = v.trim();
        long unitNanos = 1_000_000_000L;
        if (t.endsWith("ms")) {
            unitNanos = 1_000_000L;
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            unitNanos = 60_000_000_000L;
            t = t.substring(0, t.length() - 1);
        }
        double n;
        try {
            n = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            n = Double.NaN;
        }
        if (!(n > 0)
                || n * unitNanos >= Long.MAX_VALUE
                || t.isEmpty()
                || !Character.isDigit(t.charAt(t.length() - 1))) {
            throw new UsageException(
                    "option " + opt + " must be a positive duration like 500ms, 10s or 2m, got '" + v + "'");
        }
        return Duration.ofNanos(Math.max(1, (long) (n * unitNanos)));
    }
}
