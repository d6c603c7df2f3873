package dev.jgo.bench;

import dev.jgo.GoRuntime;
import dev.jgo.spi.RuntimeView.Counters;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;

/**
 * Runs workloads on jgo and its peers in one JVM and prints medians and ratios.
 *
 * <h2>Method</h2>
 *
 * <ol>
 *   <li>Per workload, one jgo runtime ({@code GoRuntime.builder().procs(P).build()}, the
 *       implementation found by {@link java.util.ServiceLoader}, with the {@code --policy}
 *       choices) and one {@code ForkJoinPool(P)}
 *       are created, reused for all of that workload's runs, and closed after them. Virtual
 *       threads use the JDK's default scheduler; {@code --procs} sets its parallelism through
 *       {@code jdk.virtualThreadScheduler.parallelism} when no virtual thread has started yet.
 *   <li>Rounds: {@code warmup} unmeasured, then {@code runs} measured. Each round runs every
 *       peer once; the order rotates by one peer per round so no peer always runs first or
 *       right after the same other peer.
 *   <li>Before each run, {@link System#gc()} (not timed) so no run pays for the previous run's
 *       garbage. A run is timed with {@link System#nanoTime()} around the whole call, and its
 *       checksum is verified; a wrong checksum fails the benchmark.
 *   <li>Reported: the median per peer and the ratios peer/jgo (above 1: jgo is faster), then the
 *       medians divided by the workload's operation count (ns/op).
 * </ol>
 */
public final class BenchRunner {
    private static final String VT_PARALLELISM = "jdk.virtualThreadScheduler.parallelism";

    private BenchRunner() {}

    /**
     * The samples of one workload; {@code ops} operations per run; {@code figures}: per peer, the
     * workload's own figures of each measured run ({@link Workload#lastFigures}), by name.
     */
    public record Result(
            String workload,
            int n,
            long ops,
            Map<Peer, long[]> nanos,
            Counters lastJgoCounters,
            Map<Peer, Map<String, double[]>> figures) {

        /** The median of figure {@code name} over {@code peer}'s runs, or NaN when it has none. */
        public double medianFigure(Peer peer, String name) {
            Map<String, double[]> f = figures.getOrDefault(peer, Map.of());
            double[] v = f.get(name);
            if (v == null || v.length == 0) {
                return Double.NaN;
            }
            double[] s = v.clone();
            Arrays.sort(s);
            int m = s.length / 2;
            return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
        }

        /** The median of {@code peer}'s samples in nanoseconds per operation, or -1 when it did not run. */
        public double nanosPerOp(Peer peer) {
            double m = medianNanos(peer);
            return m < 0 ? -1 : m / ops;
        }

        /** The median of {@code peer}'s samples in nanoseconds, or -1 when it did not run. */
        public double medianNanos(Peer peer) {
            long[] s = nanos.get(peer);
            return s == null ? -1 : median(s);
        }
    }

    /** Runs the benchmark described by {@code o}, printing the report to {@code out}. */
    public static List<Result> run(BenchOptions o, PrintStream out) {
        return run(o, out, Progress.none());
    }

    /**
     * Runs the benchmark described by {@code o}, printing the report to {@code out} and a line
     * per workload to {@code progress}.
     */
    public static List<Result> run(BenchOptions o, PrintStream out, Progress progress) {
        int procs = o.effectiveProcs();
        if (o.procs().isPresent() && System.getProperty(VT_PARALLELISM) == null) {
            System.setProperty(VT_PARALLELISM, Integer.toString(procs));
        }
        out.println("jgo bench");
        for (String line : JvmInfo.describe()) {
            out.println(line);
        }
        out.printf(
                Locale.ROOT,
                "setup:  procs=%d (jgo GOMAXPROCS, fj parallelism; vt parallelism %s), runs=%d (median), warmup=%d,"
                        + " peers=%s%n",
                procs,
                System.getProperty(VT_PARALLELISM, "default = cpus"),
                o.runs(),
                o.warmup(),
                String.join(",", o.peers().stream().map(Peer::label).toList()));
        if (!o.runtime().policies().isEmpty() || o.runtime().schedtraceMillis() > 0) {
            out.printf(
                    Locale.ROOT,
                    "        jgo policies: %s%s%n",
                    o.runtime().label(),
                    o.runtime().schedtraceMillis() > 0
                            ? ", schedtrace every " + o.runtime().schedtraceMillis() + " ms on stderr"
                            : "");
        }
        out.println("        one jgo runtime and one ForkJoinPool per workload, reused across its runs;"
                + " System.gc() before each run");
        out.println();
        out.println(header(o.peers()));
        List<Result> results = new ArrayList<>();
        for (String name : o.workloads()) {
            Workload w = Workloads.byName(name, procs)
                    .orElseThrow(() -> new UsageException("unknown workload '" + name + "'"));
            progress.start(w.name());
            Result r;
            try {
                r = runOne(w, o.n().orElse(w.defaultN()), o, procs, progress);
            } catch (RuntimeException e) {
                progress.failed();
                throw e;
            }
            progress.done();
            results.add(r);
            out.println(row(r, o.peers()));
            out.flush();
        }
        out.println();
        out.println("ns per operation (median / operations; an operation is a round trip, a value passed, a select"
                + " or a lock, as each workload's help says):");
        out.println(nsHeader(o.peers()));
        for (Result r : results) {
            out.println(nsRow(r, o.peers()));
        }
        List<String> figureLines = figureLines(results, o.peers());
        if (!figureLines.isEmpty()) {
            out.println();
            out.println("the workloads' own figures (median over the measured runs):");
            figureLines.forEach(out::println);
        }
        if (o.counters() && o.peers().contains(Peer.JGO)) {
            out.println();
            out.println("jgo scheduler counters, last measured run of each workload:");
            for (Result r : results) {
                out.printf(Locale.ROOT, "  %-20s %s%n", r.workload(), format(r.lastJgoCounters()));
            }
        }
        return results;
    }

    /** Runs one workload on every requested peer that supports it, ticking {@code progress} per run. */
    static Result runOne(Workload w, int n, BenchOptions o, int procs, Progress progress) {
        List<Peer> peers = o.peers().stream().filter(w::supports).toList();
        Map<Peer, long[]> nanos = new EnumMap<>(Peer.class);
        Map<Peer, Map<String, double[]>> figures = new EnumMap<>(Peer.class);
        for (Peer p : peers) {
            nanos.put(p, new long[o.runs()]);
            figures.put(p, new LinkedHashMap<>());
        }
        Counters last = null;
        GoRuntime rt =
                peers.contains(Peer.JGO) ? o.runtime().build(GoRuntime.builder().procs(procs)) : null;
        ForkJoinPool fj = peers.contains(Peer.FJ) ? new ForkJoinPool(procs) : null;
        try {
            for (int round = 0; round < o.warmup() + o.runs(); round++) {
                boolean measured = round >= o.warmup();
                for (int k = 0; k < peers.size(); k++) {
                    Peer p = peers.get((round + k) % peers.size());
                    Counters before = p == Peer.JGO ? rt.view().counters() : null;
                    long t = timeOne(w, p, n, rt, fj);
                    progress.tick();
                    if (measured) {
                        nanos.get(p)[round - o.warmup()] = t;
                        for (Map.Entry<String, Double> e : w.lastFigures(p).entrySet()) {
                            figures.get(p)
                                            .computeIfAbsent(e.getKey(), key -> new double[o.runs()])[
                                            round - o.warmup()] =
                                    e.getValue();
                        }
                        if (p == Peer.JGO) {
                            last = minus(rt.view().counters(), before);
                        }
                    }
                }
            }
        } finally {
            if (rt != null) {
                rt.close();
            }
            if (fj != null) {
                fj.shutdownNow();
            }
        }
        return new Result(w.name(), n, w.ops(n), nanos, last, figures);
    }

    private static long timeOne(Workload w, Peer p, int n, GoRuntime rt, ForkJoinPool fj) {
        System.gc();
        long start = System.nanoTime();
        long sum;
        try {
            sum = switch (p) {
                case JGO -> w.runJgo(rt, n);
                case VT -> w.runVirtual(n);
                case FJ -> w.runForkJoin(fj, n);
                case JOX -> w.runJox(n);
            };
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(w.name() + " on " + p.label() + " failed", e);
        }
        long t = System.nanoTime() - start;
        long want = w.expected(n);
        if (sum != want) {
            throw new IllegalStateException(
                    w.name() + " on " + p.label() + " with n=" + n + " returned " + sum + ", expected " + want);
        }
        return t;
    }

    static String header(List<Peer> peers) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-20s %9s", "workload", "n"));
        for (Peer p : peers) {
            sb.append(String.format(Locale.ROOT, " %10s", p.label() + " ms"));
        }
        if (peers.contains(Peer.JGO)) {
            for (Peer p : peers) {
                if (p != Peer.JGO) {
                    sb.append(String.format(Locale.ROOT, " %8s", p.label() + "/jgo"));
                }
            }
        }
        return sb.toString();
    }

    static String row(Result r, List<Peer> peers) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-20s %9d", r.workload(), r.n()));
        for (Peer p : peers) {
            double m = r.medianNanos(p);
            sb.append(
                    m < 0 ? String.format(Locale.ROOT, " %10s", "-") : String.format(Locale.ROOT, " %10.1f", m / 1e6));
        }
        double jgo = r.medianNanos(Peer.JGO);
        if (jgo >= 0) {
            for (Peer p : peers) {
                if (p != Peer.JGO) {
                    double m = r.medianNanos(p);
                    sb.append(
                            m < 0
                                    ? String.format(Locale.ROOT, " %8s", "-")
                                    : String.format(Locale.ROOT, " %8.2f", m / jgo));
                }
            }
        }
        return sb.toString();
    }

    static String nsHeader(List<Peer> peers) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-20s %9s", "workload", "ops"));
        for (Peer p : peers) {
            sb.append(String.format(Locale.ROOT, " %10s", p.label() + " ns/op"));
        }
        return sb.toString();
    }

    static String nsRow(Result r, List<Peer> peers) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-20s %9d", r.workload(), r.ops()));
        for (Peer p : peers) {
            double v = r.nanosPerOp(p);
            sb.append(v < 0 ? String.format(Locale.ROOT, " %10s", "-") : String.format(Locale.ROOT, " %10.1f", v));
        }
        return sb.toString();
    }

    /** One line per workload and figure name: the median per peer, and peer/jgo. */
    static List<String> figureLines(List<Result> results, List<Peer> peers) {
        List<String> lines = new ArrayList<>();
        for (Result r : results) {
            Set<String> names = new LinkedHashSet<>();
            r.figures().values().forEach(f -> names.addAll(f.keySet()));
            for (String name : names) {
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-20s %-22s", r.workload(), name));
                for (Peer p : peers) {
                    double v = r.medianFigure(p, name);
                    if (!Double.isNaN(v)) {
                        sb.append(String.format(Locale.ROOT, " %s=%.1f", p.label(), v));
                    }
                }
                double jgo = r.medianFigure(Peer.JGO, name);
                for (Peer p : peers) {
                    double v = r.medianFigure(p, name);
                    if (p != Peer.JGO && !Double.isNaN(v) && !Double.isNaN(jgo) && jgo != 0) {
                        sb.append(String.format(Locale.ROOT, " %s/jgo=%.2f", p.label(), v / jgo));
                    }
                }
                lines.add(sb.toString());
            }
        }
        return lines;
    }

    static double median(long[] samples) {
        long[] s = samples.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2.0;
    }

    static Counters minus(Counters a, Counters b) {
        return new Counters(
                a.schedticks() - b.schedticks(),
                a.goroutinesCreated() - b.goroutinesCreated(),
                a.steals() - b.steals(),
                a.stolenGoroutines() - b.stolenGoroutines(),
                a.spins() - b.spins(),
                a.mParks() - b.mParks(),
                a.mUnparks() - b.mUnparks(),
                a.emptyWakeups() - b.emptyWakeups(),
                a.runqOverflows() - b.runqOverflows(),
                a.mWakeups() - b.mWakeups(),
                a.spinRounds() - b.spinRounds());
    }

    static String format(Counters c) {
        if (c == null) {
            return "(no jgo run)";
        }
        return String.format(
                Locale.ROOT,
                "schedticks=%d created=%d steals=%d stolen=%d spins=%d mparks=%d munparks=%d emptywakeups=%d"
                        + " overflows=%d mwakeups=%d spinrounds=%d",
                c.schedticks(),
                c.goroutinesCreated(),
                c.steals(),
                c.stolenGoroutines(),
                c.spins(),
                c.mParks(),
                c.mUnparks(),
                c.emptyWakeups(),
                c.runqOverflows(),
                c.mWakeups(),
                c.spinRounds());
    }
}
