package dev.jgo.bench;

import dev.jgo.GoRuntime;
import dev.jgo.bench.CompareOptions.PolicySet;
import dev.jgo.spi.Policies;
import dev.jgo.spi.RuntimeView.Counters;
import dev.jgo.spi.StealPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Runs workloads on jgo under a matrix of scheduling policies and processor counts, prints a
 * table of medians, and writes the runs as CSV and one SVG chart per workload.
 *
 * <h2>Method</h2>
 *
 * <ol>
 *   <li>Per workload and processor count, one runtime per policy combination is built ({@code
 *       GoRuntime.builder().procs(P)} with the policies from {@link Policies}). The runtimes live
 *       side by side and are closed after that group's runs.
 *   <li>Rounds: {@code warmup} unmeasured, then {@code runs} measured; each round runs every
 *       combination once, the order rotating by one per round so that none always runs first.
 *   <li>Before each run, {@link System#gc()} (not timed). Per run: wall time ({@link
 *       System#nanoTime()} around the call), process CPU time (every thread of the JVM: carriers,
 *       GC and JIT threads alike) and the difference of the runtime's summed scheduler counters.
 *       The checksum is verified; a wrong one fails the command.
 *   <li>Reported per cell: medians of wall time, CPU time, CPU/wall (cores kept busy) and each
 *       counter.
 * </ol>
 */
public final class Compare {
    /** The per-run CSV file in the output folder. */
    public static final String CSV = "compare.csv";

    /** The CSV header: one row per measured run. */
    public static final String CSV_HEADER = "workload,n,procs,steal,spin,fair,run,wall_ns,cpu_ns,cpu_per_wall,"
            + "alloc_bytes,peak_heap_bytes,schedticks,created,steals,stolen,spins,m_parks,m_unparks,empty_wakeups,runq_overflows,figures";

    private Compare() {}

    /**
     * One measured run. {@code allocBytes}: bytes allocated by every thread during the run;
     * {@code peakHeapBytes}: the most heap in use at once during it (the heap pools' peak usage,
     * reset after the GC that precedes the run); -1 where the JVM does not report them. {@code
     * figures}: the workload's own figures of the run ({@link
     * Workload#lastFigures}, e.g. starve's wait), empty for most workloads.
     */
    public record Run(
            String workload,
            int n,
            int procs,
            PolicySet policies,
            int run,
            long wallNanos,
            long cpuNanos,
            long allocBytes,
            long peakHeapBytes,
            Counters c,
            Map<String, Double> figures) {

        public Run {
            figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures));
        }

        /** CPU time over wall time: the cores kept busy on average; -1 when CPU time is unknown. */
        public double cpuPerWall() {
            return cpuNanos < 0 || wallNanos <= 0 ? -1 : (double) cpuNanos / wallNanos;
        }
    }

    /** The measured runs of one workload, processor count and policy combination. */
    public record Cell(String workload, int n, int procs, PolicySet policies, List<Run> runs) {

        public Cell {
            runs = List.copyOf(runs);
        }

        public double medianWallNanos() {
            return median(runs, r -> r.wallNanos());
        }

        public double medianCpuNanos() {
            return median(runs, r -> r.cpuNanos());
        }

        public double medianCpuPerWall() {
            return medianD(runs, Run::cpuPerWall);
        }

        public double medianAllocBytes() {
            return median(runs, r -> r.allocBytes());
        }

        public double medianPeakHeapBytes() {
            return median(runs, r -> r.peakHeapBytes());
        }

        /** The median over runs of one counter. */
        public double median(ToLongFunction<Counters> counter) {
            return median(runs, r -> counter.applyAsLong(r.c()));
        }

        public long minWallNanos() {
            return runs.stream().mapToLong(Run::wallNanos).min().orElse(0);
        }

        public long maxWallNanos() {
            return runs.stream().mapToLong(Run::wallNanos).max().orElse(0);
        }

        /** The median over runs of the workload's figure {@code name}, or NaN when it has none. */
        public double medianFigure(String name) {
            if (runs.isEmpty() || !runs.get(0).figures().containsKey(name)) {
                return Double.NaN;
            }
            return medianD(runs, r -> r.figures().getOrDefault(name, Double.NaN));
        }

        /** The names of the workload's figures, in report order. */
        public List<String> figureNames() {
            return runs.isEmpty()
                    ? List.of()
                    : List.copyOf(runs.get(0).figures().keySet());
        }

        private static double median(List<Run> runs, ToLongFunction<Run> f) {
            return BenchRunner.median(runs.stream().mapToLong(f).toArray());
        }

        private static double medianD(List<Run> runs, ToDoubleFunction<Run> f) {
            double[] v = runs.stream().mapToDouble(f).sorted().toArray();
            int m = v.length / 2;
            return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
        }
    }

    /** Runs the matrix of {@code o}, prints the table to {@code out}, writes the files; returns the cells. */
    public static List<Cell> run(CompareOptions o, PrintStream out) {
        return run(o, out, Progress.none());
    }

    /**
     * As {@link #run(CompareOptions, PrintStream)}, with a line per workload and processor count
     * (a dot per run) on {@code progress}.
     */
    public static List<Cell> run(CompareOptions o, PrintStream out, Progress progress) {
        out.println("jgo compare");
        for (String line : JvmInfo.describe()) {
            out.println(line);
        }
        out.printf(
                Locale.ROOT,
                "setup:  procs=%s, runs=%d (median), warmup=%d, %d policy combinations; one runtime per"
                        + " combination, alternated; System.gc() before each run%n",
                o.procs(),
                o.runs(),
                o.warmup(),
                o.policies().size());
        if (!o.runtime().policies().isEmpty() || o.runtime().schedtraceMillis() > 0) {
            out.printf(
                    Locale.ROOT,
                    "        --policy: %s%s%n",
                    o.runtime().label(),
                    o.runtime().schedtraceMillis() > 0
                            ? ", schedtrace every " + o.runtime().schedtraceMillis() + " ms on stderr"
                            : "");
        }
        out.println();
        out.println(header());
        List<Cell> cells = new ArrayList<>();
        for (String name : o.workloads()) {
            for (int procs : o.procs()) {
                Workload w = Workloads.byName(name, procs)
                        .orElseThrow(() -> new UsageException("unknown workload '" + name + "'"));
                progress.start(w.name() + " on " + procs + " Ps");
                List<Cell> group;
                try {
                    group = runGroup(w, o.n().orElse(w.defaultN()), procs, o, progress);
                } catch (RuntimeException e) {
                    progress.failed();
                    throw e;
                }
                progress.done();
                for (Cell c : group) {
                    cells.add(c);
                    out.println(row(c));
                }
                out.flush();
            }
        }
        List<String> figures = figureLines(cells);
        if (!figures.isEmpty()) {
            out.println();
            out.println("the workloads' own figures (median over the measured runs):");
            figures.forEach(out::println);
        }
        try {
            Files.createDirectories(o.out());
            Path csv = o.out().resolve(CSV);
            Files.writeString(csv, csv(cells));
            out.println();
            out.println("wrote " + csv);
            for (String name : o.workloads()) {
                List<Cell> mine =
                        cells.stream().filter(c -> c.workload().equals(name)).toList();
                Path svg = o.out().resolve("compare-" + name + ".svg");
                Files.writeString(svg, CompareChart.svg(name, mine));
                out.println("wrote " + svg);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + o.out(), e);
        }
        return cells;
    }

    /** Runs every policy combination of {@code o} for workload {@code w} on {@code procs} Ps. */
    static List<Cell> runGroup(Workload w, int n, int procs, CompareOptions o, Progress progress) {
        List<PolicySet> sets = o.policies();
        List<GoRuntime> rts = new ArrayList<>();
        List<List<Run>> runs = new ArrayList<>();
        try {
            for (PolicySet ps : sets) {
                rts.add(build(ps, procs, o.runtime()));
                runs.add(new ArrayList<>());
            }
            for (int round = 0; round < o.warmup() + o.runs(); round++) {
                for (int k = 0; k < sets.size(); k++) {
                    int i = (round + k) % sets.size();
                    Run r = timeOne(w, n, procs, sets.get(i), rts.get(i), round - o.warmup());
                    progress.tick();
                    if (round >= o.warmup()) {
                        runs.get(i).add(r);
                    }
                }
            }
        } finally {
            for (GoRuntime rt : rts) {
                rt.close();
            }
        }
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            cells.add(new Cell(w.name(), n, procs, sets.get(i), runs.get(i)));
        }
        return cells;
    }

    /** A runtime with the policies of {@code ps} and the rest of {@code --policy} (timers) and {@code --schedtrace}. */
    static GoRuntime build(PolicySet ps, int procs, RuntimeOptions runtime) {
        StealPolicy steal = Policies.steal(ps.steal());
        GoRuntime.Builder b = GoRuntime.builder()
                .procs(procs)
                .name("compare-" + ps.label().replace('/', '-'))
                .stealPolicy(steal)
                .spinPolicy(Policies.spin(ps.spin()))
                .fairnessPolicy(Policies.fairness(ps.fair()));
        return runtime.build(b);
    }

    private static Run timeOne(Workload w, int n, int procs, PolicySet ps, GoRuntime rt, int run) {
        System.gc();
        resetHeapPeaks();
        Counters before = rt.view().counters();
        long alloc0 = allocatedBytes();
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        long sum = w.runJgo(rt, n);
        long wall = System.nanoTime() - start;
        long cpu1 = processCpuNanos();
        long alloc1 = allocatedBytes();
        long peak = heapPeakBytes();
        Counters delta = BenchRunner.minus(rt.view().counters(), before);
        long want = w.expected(n);
        if (sum != want) {
            throw new IllegalStateException(w.name() + " with " + ps.label() + " on " + procs + " procs, n=" + n
                    + ", returned " + sum + ", expected " + want);
        }
        return new Run(
                w.name(),
                n,
                procs,
                ps,
                run,
                wall,
                cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0,
                alloc0 < 0 || alloc1 < 0 ? -1 : alloc1 - alloc0,
                peak,
                delta,
                w.lastFigures(Peer.JGO));
    }

    /** Bytes allocated by every live thread so far, or -1 where the JVM does not report it. */
    static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported()
                && t.isThreadAllocatedMemoryEnabled()) {
            return t.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    private static void resetHeapPeaks() {
        for (java.lang.management.MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == java.lang.management.MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    /** The sum of the heap pools' peak usage since {@link #resetHeapPeaks}. */
    private static long heapPeakBytes() {
        long sum = 0;
        for (java.lang.management.MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == java.lang.management.MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** CPU time of every thread of this JVM, or -1 where the platform does not report it. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    static String header() {
        return String.format(
                Locale.ROOT,
                "%-14s %5s %-7s %-9s %-8s %9s %9s %8s %8s %8s %9s %8s %8s %8s %8s %6s",
                "workload",
                "procs",
                "steal",
                "spin",
                "fair",
                "wall ms",
                "cpu ms",
                "cpu/wall",
                "alloc MB",
                "peak MB",
                "steals",
                "spins",
                "mparks",
                "munparks",
                "emptywk",
                "ovfl");
    }

    static String row(Cell c) {
        return String.format(
                Locale.ROOT,
                "%-14s %5d %-7s %-9s %-8s %9.1f %9.1f %8.2f %8.1f %8.1f %9.0f %8.0f %8.0f %8.0f %8.0f %6.0f",
                c.workload(),
                c.procs(),
                c.policies().steal(),
                c.policies().spin(),
                c.policies().fair(),
                c.medianWallNanos() / 1e6,
                c.medianCpuNanos() / 1e6,
                c.medianCpuPerWall(),
                c.medianAllocBytes() / 1e6,
                c.medianPeakHeapBytes() / 1e6,
                c.median(Counters::steals),
                c.median(Counters::spins),
                c.median(Counters::mParks),
                c.median(Counters::mUnparks),
                c.median(Counters::emptyWakeups),
                c.median(Counters::runqOverflows));
    }

    /** The CSV text: {@link #CSV_HEADER}, then one row per measured run. */
    static String csv(List<Cell> cells) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (Cell cell : cells) {
            for (Run r : cell.runs()) {
                Counters c = r.c();
                sb.append(String.format(
                        Locale.ROOT,
                        "%s,%d,%d,%s,%s,%s,%d,%d,%d,%.3f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%s\n",
                        r.workload(),
                        r.n(),
                        r.procs(),
                        r.policies().steal(),
                        r.policies().spin(),
                        r.policies().fair(),
                        r.run(),
                        r.wallNanos(),
                        r.cpuNanos(),
                        r.cpuPerWall(),
                        r.allocBytes(),
                        r.peakHeapBytes(),
                        c.schedticks(),
                        c.goroutinesCreated(),
                        c.steals(),
                        c.stolenGoroutines(),
                        c.spins(),
                        c.mParks(),
                        c.mUnparks(),
                        c.emptyWakeups(),
                        c.runqOverflows(),
                        figures(r.figures())));
            }
        }
        return sb.toString();
    }

    /** {@code name=value} pairs joined by {@code ;} (no commas), for the CSV's last column. */
    static String figures(Map<String, Double> f) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : f.entrySet()) {
            if (!sb.isEmpty()) {
                sb.append(';');
            }
            sb.append(e.getKey().replace(',', ' ').replace(';', ' '))
                    .append('=')
                    .append(String.format(Locale.ROOT, "%.1f", e.getValue()));
        }
        return sb.toString();
    }

    /** Lines of the workloads' own figures, median per cell; empty when no workload has any. */
    static List<String> figureLines(List<Cell> cells) {
        List<String> lines = new ArrayList<>();
        for (Cell c : cells) {
            StringBuilder sb = new StringBuilder();
            for (String name : c.figureNames()) {
                sb.append(String.format(Locale.ROOT, "  %s=%.1f", name, c.medianFigure(name)));
            }
            if (!sb.isEmpty()) {
                lines.add(String.format(
                                Locale.ROOT,
                                "%-14s %5d %-26s",
                                c.workload(),
                                c.procs(),
                                c.policies().label())
                        + sb);
            }
        }
        return lines;
    }
}
