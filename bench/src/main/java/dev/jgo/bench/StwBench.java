package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.SafepointCoordinator;
import dev.jgo.spi.Scheduler;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Stop-the-world latency: the time from a stop request to the world stopped, with {@code g}
 * goroutines that spin for {@code interval} between two {@code Go.checkpoint()} calls, for each
 * combination of goroutine count and safe-point interval, after one unreported warm-up row. Prints
 * p50, p99 and the maximum over
 * {@code stops} stop/start cycles (a platform thread stops the world, holds it 50 µs, starts it,
 * waits 1 ms), and checks the goroutines' own iteration counts against what they reported.
 *
 * <pre>
 *   java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -XX:+UseParallelGC -Xms1g -Xmx1g \
 *       -cp assembly/target/jgo.jar dev.jgo.bench.StwBench [procs] [stops]
 * </pre>
 */
public final class StwBench {
    private StwBench() {}

    public static void main(String[] args) throws Exception {
        int procs = args.length > 0 ? Integer.parseInt(args[0]) : dev.jgo.spi.RuntimeConfig.defaultProcs();
        int stops = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        if (procs < 1 || stops < 10) {
            throw new IllegalArgumentException("usage: StwBench [procs >= 1] [stops >= 10]");
        }
        System.out.printf(Locale.ROOT, "jgo stop-the-world latency: procs=%d, %d stops per row%n", procs, stops);
        JvmInfo.describe().forEach(System.out::println);
        row(procs, procs, 100_000, 50, false); // warm-up: JIT compilation of the stop path, unreported
        System.out.printf(
                Locale.ROOT,
                "%12s %14s %10s %10s %10s %10s%n",
                "goroutines",
                "safe point",
                "p50 us",
                "p99 us",
                "max us",
                "rounds");
        for (int g : new int[] {procs, 4 * procs, 1000}) {
            for (long intervalNanos : new long[] {10_000, 100_000, 1_000_000}) {
                row(procs, g, intervalNanos, stops, true);
            }
        }
    }

    private static void row(int procs, int g, long intervalNanos, int stops, boolean report) throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            SafepointCoordinator c = ((Scheduler) rt).safepoints();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong reported = new AtomicLong();
            CompletableFuture<Long> work = CompletableFuture.supplyAsync(() -> rt.run(() -> {
                AtomicLong iterations = new AtomicLong();
                dev.jgo.sync.WaitGroup wg = new dev.jgo.sync.WaitGroup();
                wg.add(g);
                for (int i = 0; i < g; i++) {
                    Go.go(() -> {
                        long n = 0;
                        while (!stop.get()) {
                            long t = System.nanoTime();
                            while (System.nanoTime() - t < intervalNanos) {
                                Thread.onSpinWait();
                            }
                            n++;
                            Go.checkpoint();
                        }
                        iterations.addAndGet(n);
                        reported.incrementAndGet();
                        wg.done();
                    });
                }
                wg.await();
                return iterations.get();
            }));
            LockSupport.parkNanos(20_000_000); // let them all start
            long[] lat = new long[stops];
            long rounds0 = c.stats().repreempts();
            for (int i = 0; i < stops; i++) {
                long t0 = System.nanoTime();
                c.stopTheWorld("bench");
                lat[i] = System.nanoTime() - t0;
                LockSupport.parkNanos(50_000);
                c.startTheWorld();
                LockSupport.parkNanos(1_000_000);
            }
            long rounds = c.stats().repreempts() - rounds0;
            stop.set(true);
            long iterations = work.get();
            if (reported.get() != g || iterations <= 0) {
                throw new IllegalStateException("goroutines reported " + reported.get() + " of " + g);
            }
            Arrays.sort(lat);
            if (!report) {
                return;
            }
            System.out.printf(
                    Locale.ROOT,
                    "%12d %11d us %10.1f %10.1f %10.1f %10d%n",
                    g,
                    intervalNanos / 1000,
                    lat[stops / 2] / 1e3,
                    lat[(int) (stops * 0.99)] / 1e3,
                    lat[stops - 1] / 1e3,
                    rounds);
        }
    }
}
