package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;

/**
 * Wake-up lateness of many sleepers beside busy goroutines (issue 17's timer target): {@code n}
 * goroutines each sleep {@code 1 + (i * 7919) % spread} ms, so the wake-ups are spread evenly
 * over {@code spread} ms, while {@code busy} goroutines per processor do chunks of work ({@link
 * Sleepers#work}, tens of microseconds) and yield, until the last sleeper woke or {@link
 * #busyLimitNanos} passed (the JDK's scheduler re-runs a yielding virtual thread at once and
 * would starve the sleepers for ever). Lateness is the
 * time from a sleeper's due time (taken just before its sleep) to its resumption. jgo and JDK 25
 * virtual threads alternate in one JVM; {@code bench/go/gobench.go -workload sleepers-lateness}
 * is the same shape on Go's runtime.
 *
 * <p>Run: {@code java -XX:+UseParallelGC -Xms2g -Xmx2g --add-exports
 * java.base/jdk.internal.vm=ALL-UNNAMED -cp assembly/target/jgo.jar dev.jgo.bench.SleepLateness
 * [n] [spreadMs] [busyPerProc] [runs] [procs]}, defaults 100000 1000 1 5 and the default procs.
 */
public final class SleepLateness {
    private SleepLateness() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int spread = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int busyPer = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int procs = args.length > 4 ? Integer.parseInt(args[4]) : dev.jgo.spi.RuntimeConfig.defaultProcs();
        JvmInfo.describe().forEach(System.out::println);
        System.out.printf(
                "sleepers-lateness: n=%d spread=%d ms busy=%d per proc procs=%d runs=%d (first run is warm-up)%n",
                n, spread, busyPer, procs, runs);
        double[][] jgo = new double[runs][];
        double[][] vt = new double[runs][];
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            for (int r = 0; r <= runs; r++) {
                double[] a = percentiles(runJgo(rt, n, spread, busyPer * procs));
                double[] b = percentiles(runVt(n, spread, busyPer * procs));
                System.out.printf(
                        "run %d  jgo p50 %7.2f p99 %7.2f max %7.2f ms   vt p50 %7.2f p99 %7.2f max %7.2f ms%n",
                        r, a[0], a[1], a[2], b[0], b[1], b[2]);
                if (r > 0) {
                    jgo[r - 1] = a;
                    vt[r - 1] = b;
                }
            }
        }
        System.out.printf(
                "median  jgo p50 %7.2f p99 %7.2f max %7.2f ms   vt p50 %7.2f p99 %7.2f max %7.2f ms%n",
                median(jgo, 0), median(jgo, 1), median(jgo, 2), median(vt, 0), median(vt, 1), median(vt, 2));
    }

    /** How long the busy goroutines run at most: twice the spread and 2 s. */
    static long busyLimitNanos(int spread) {
        return (2L * spread + 2_000) * 1_000_000L;
    }

    /** A busy goroutine's stop rule, taken as it starts: on until {@code done} or its time limit. */
    private static IntPredicate busyUntil(AtomicBoolean done, int spread) {
        long end = System.nanoTime() + busyLimitNanos(spread);
        return chunks -> !done.get() && System.nanoTime() - end < 0;
    }

    static long sleepMillis(int i, int spread) {
        return 1 + (i * 7919L) % spread;
    }

    static long[] runJgo(GoRuntime rt, int n, int spread, int busy) {
        long[] late = new long[n];
        rt.run(() -> {
            AtomicBoolean done = new AtomicBoolean();
            Join load = Sleepers.startLoad(busy, Go::go, Go::yield, () -> busyUntil(done, spread));
            Join j = new Join(n);
            for (int i = 0; i < n; i++) {
                int k = i;
                Go.go(() -> {
                    long ms = sleepMillis(k, spread);
                    long due = System.nanoTime() + ms * 1_000_000;
                    Go.sleep(Duration.ofMillis(ms));
                    late[k] = System.nanoTime() - due;
                    j.arrive(0);
                });
            }
            j.await();
            done.set(true);
            load.await();
            return null;
        });
        return late;
    }

    static long[] runVt(int n, int spread, int busy) throws Exception {
        long[] late = new long[n];
        Workload.inVirtualThread(() -> {
            AtomicBoolean done = new AtomicBoolean();
            Join load =
                    Sleepers.startLoad(busy, Thread::startVirtualThread, Thread::yield, () -> busyUntil(done, spread));
            Join j = new Join(n);
            for (int i = 0; i < n; i++) {
                int k = i;
                Thread.startVirtualThread(() -> {
                    long ms = sleepMillis(k, spread);
                    long due = System.nanoTime() + ms * 1_000_000;
                    try {
                        Thread.sleep(ms);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    late[k] = System.nanoTime() - due;
                    j.arrive(0);
                });
            }
            j.await();
            done.set(true);
            load.await();
            return 0;
        });
        return late;
    }

    /** p50, p99 and max in ms. */
    static double[] percentiles(long[] lateNanos) {
        long[] c = lateNanos.clone();
        Arrays.sort(c);
        return new double[] {c[c.length / 2] / 1e6, c[(int) (c.length * 0.99)] / 1e6, c[c.length - 1] / 1e6};
    }

    private static double median(double[][] rows, int col) {
        double[] v = Arrays.stream(rows).mapToDouble(r -> r[col]).sorted().toArray();
        return v[v.length / 2];
    }
}
