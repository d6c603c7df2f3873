package dev.jgo.assembly.internal;

import dev.jgo.bench.BenchOptions;
import dev.jgo.bench.BenchRunner;
import dev.jgo.bench.Compare;
import dev.jgo.bench.CompareOptions;
import dev.jgo.bench.Progress;
import dev.jgo.bench.RuntimeOptions;
import dev.jgo.bench.UsageException;
import dev.jgo.bench.Workloads;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The {@code jgo} command line ({@code java -jar jgo.jar COMMAND ...}). Exit codes: 0 success, 1
 * failure while running, 2 bad command line (message and usage on stderr). Reports go to stdout;
 * progress of the long commands ({@code bench}, {@code compare}) goes to stderr.
 */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        if (code != OK) {
            System.exit(code);
        }
    }

    /** Runs the command line {@code args}; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("jgo: no command given");
            err.print(usage());
            return USAGE;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            switch (args[0]) {
                case "--help", "-h", "help" -> {
                    requireNoArgs(args[0], rest);
                    out.print(usage());
                    return OK;
                }
                case "version", "--version" -> {
                    requireNoArgs(args[0], rest);
                    out.println("jgo " + version() + " (java " + System.getProperty("java.version") + ")");
                    return OK;
                }
                case "bench" -> {
                    if (rest.contains("--help") || rest.contains("-h")) {
                        out.print(usage());
                        return OK;
                    }
                    BenchOptions o = BenchOptions.parse(rest);
                    BenchRunner.run(
                            o, out, new Progress(err, "bench", o.workloads().size()));
                    return OK;
                }
                case "compare" -> {
                    if (rest.contains("--help") || rest.contains("-h")) {
                        out.print(usage());
                        return OK;
                    }
                    CompareOptions o = CompareOptions.parse(rest);
                    Compare.run(
                            o,
                            out,
                            new Progress(
                                    err,
                                    "compare",
                                    o.workloads().size() * o.procs().size()));
                    return OK;
                }
                case "serve" -> {
                    if (rest.contains("--help") || rest.contains("-h")) {
                        out.print(usage());
                        return OK;
                    }
                    ServeCommand.run(rest, out);
                    return OK;
                }
                case "osgi" -> {
                    if (rest.contains("--help") || rest.contains("-h")) {
                        out.print(usage());
                        return OK;
                    }
                    OsgiCommand.run(rest, out);
                    return OK;
                }
                default -> throw new UsageException("unknown command '" + args[0] + "'");
            }
        } catch (UsageException e) {
            err.println("jgo: " + e.getMessage());
            err.print(usage());
            return USAGE;
        } catch (RuntimeException e) {
            err.println("jgo: " + args[0] + " failed: " + e);
            e.printStackTrace(err);
            return FAILED;
        }
    }

    private static void requireNoArgs(String command, List<String> rest) {
        if (!rest.isEmpty()) {
            throw new UsageException(command + " takes no arguments, got '" + String.join(" ", rest) + "'");
        }
    }

    /** The usage of every command. */
    static String usage() {
        return """
                usage: java -jar jgo.jar COMMAND [OPTIONS]

                commands:
                  bench [OPTIONS]   run workloads on jgo and its peers (JDK virtual threads,
                                    ForkJoinPool, jox channels) in this JVM; prints medians, ratios
                                    (peer/jgo, above 1 means jgo is faster) and ns per operation.
                                    With no options: the sched group, default sizes, %d runs after
                                    %d warm-up runs, every peer. The chan group (channels, select,
                                    Mutex) runs with --workload chan.
                  compare [OPTIONS] run workloads on jgo under a matrix of scheduling policies
                                    and GOMAXPROCS values, alternating the combinations; prints
                                    medians of wall time, process CPU time, CPU/wall and the
                                    scheduler counters, writes DIR/compare.csv (one row per run)
                                    and DIR/compare-WORKLOAD.svg (a bar chart per workload)
                  serve [OPTIONS]   serve HTTP "hello" (keep-alive; for wrk) or echo on jgo's netpoll,
                                    a goroutine per connection
                  osgi [OPTIONS]    boot an embedded Apache Felix with the bundles of target/bundles
                                    (Declarative Services, Config Admin), run a goroutine workload
                                    through the dev.jgo.GoRuntime service, swap a higher-ranked
                                    StealPolicy service in and out, sleep through jgo-timer's
                                    service, stop and restart that bundle, stop the framework
                                    (no shell)
                  version           print jgo's and the JVM's versions
                  --help            print this help

                bench options:
                %s
                compare options:
                %s
                serve options:
                %s
                osgi options:
                %s
                runtime options (bench, compare, serve, osgi):
                %s
                workloads:
                %s
                examples:
                  java -jar jgo.jar bench
                  java -XX:+UseParallelGC -Xms2g -Xmx2g -jar jgo.jar bench --workload skynet,yield-many --runs 9
                  java -jar jgo.jar bench --workload spawn-many --n 100000 --runs 1 --warmup 0
                  java -XX:+UseParallelGC -Xms2g -Xmx2g -jar jgo.jar bench --workload chan --runs 3 --warmup 1
                  java -XX:+UseParallelGC -Xms2g -Xmx2g -jar jgo.jar compare --workloads skynet,yield-many \\
                      --policies 'steal=go,linear,sticky;spin=go,one,none' --procs 1,2 --runs 3 --out DIR
                  java -jar jgo.jar serve --http --port 8080      # then: wrk -t1 -c64 -d10s http://127.0.0.1:8080/
                  java -jar jgo.jar bench --workload skynet --procs 2 --policy steal=linear --policy spin=one
                  java -jar jgo.jar bench --workload sleepers --policy timers=wheel --schedtrace=500
                  java -jar jgo.jar osgi --procs 4

                exit codes: 0 success, 1 failure while running, 2 bad command line.
                progress of bench and compare goes to stderr; their reports to stdout.
                """.formatted(
                        BenchOptions.DEFAULT_RUNS,
                        BenchOptions.DEFAULT_WARMUP,
                        BenchOptions.usage(),
                        CompareOptions.usage(),
                        ServeCommand.usage(),
                        OsgiCommand.usage(),
                        RuntimeOptions.usage(),
                        workloadList());
    }

    private static String workloadList() {
        StringBuilder sb = new StringBuilder();
        int procs = dev.jgo.spi.RuntimeConfig.defaultProcs();
        sb.append("  sched (default):\n");
        for (var w : Workloads.all(procs)) {
            sb.append(String.format("  %-20s %s%n", w.name(), w.description()));
        }
        sb.append("  chan:\n");
        for (var w : Workloads.channels()) {
            sb.append(String.format("  %-20s %s%n", w.name(), w.description()));
        }
        return sb.toString();
    }

    /** The project version stamped into the jar at build time. */
    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
