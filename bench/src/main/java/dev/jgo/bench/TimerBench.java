package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.time.Time;
import dev.jgo.time.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Timer benchmarks of issue 5, jgo beside JDK virtual threads ({@code Thread.sleep}) and a
 * {@link ScheduledThreadPoolExecutor}, alternated in one JVM:
 *
 * <ul>
 *   <li>sleepers: {@code n} goroutines each sleep a random 1–100 ms; wake-up lateness p50/p99/max;
 *   <li>add+stop: create a timer one second out and stop it, ops/s;
 *   <li>under load: two CPU-bound goroutines (reaching {@code Go.checkpoint()}) per P, and one
 *       goroutine sleeping 10 ms a hundred times; lateness p50/p99 (Go's issue 38860: a busy P
 *       must not delay its timers past the time slice).
 * </ul>
 *
 * <p>Run: {@code java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -cp
 * assembly/target/jgo.jar dev.jgo.bench.TimerBench [n] [runs]}.
 */
public final class TimerBench {
    private TimerBench() {}

    static volatile long sink;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        JvmInfo.describe().forEach(System.out::println);
        int procs = dev.jgo.spi.RuntimeConfig.defaultProcs();
        System.out.printf(
                "sleepers: n=%d, sleeps uniform in [1, 100] ms, procs=%d, runs=%d (last run's percentiles)%n",
                n, procs, runs);
        long[] jgo = null;
        long[] vt = null;
        long[] stpe = null;
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            for (int r = 0; r < runs; r++) {
                jgo = sleepersJgo(rt, n, r);
                vt = sleepersVt(n, r);
                stpe = sleepersStpe(n, r, procs);
            }
            report("jgo Go.sleep", jgo);
            report("virtual threads Thread.sleep", vt);
            report("ScheduledThreadPoolExecutor", stpe);

            int ops = 1_000_000;
            double jgoOps = 0;
            double stpeOps = 0;
            for (int r = 0; r < runs; r++) {
                jgoOps = addStopJgo(rt, ops);
                stpeOps = addStopStpe(ops);
            }
            System.out.printf(
                    "add+stop: jgo %.2f M ops/s, ScheduledThreadPoolExecutor %.2f M ops/s%n",
                    jgoOps / 1e6, stpeOps / 1e6);

            long[] loaded = underLoadJgo(rt, procs);
            report("under load, jgo (2 busy goroutines per P)", loaded);
        }
        long[] loadedVt = underLoadVt(procs);
        report("under load, virtual threads (2 busy per carrier)", loadedVt);
    }

    private static void report(String what, long[] lateNanos) {
        long[] c = lateNanos.clone();
        Arrays.sort(c);
        System.out.printf(
                "%-50s lateness p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms%n",
                what, c[c.length / 2] / 1e6, c[(int) (c.length * 0.99)] / 1e6, c[c.length - 1] / 1e6);
    }

    private static long[] sleepersJgo(GoRuntime rt, int n, int seed) {
        long[] late = new long[n];
        rt.run(() -> {
            CountDownLatch done = new CountDownLatch(n);
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = 0; i < n; i++) {
                int idx = i;
                long ms = 1 + rnd.nextInt(100);
                Go.go(() -> {
                    long due = System.nanoTime() + ms * 1_000_000;
                    Go.sleep(Duration.ofMillis(ms));
                    late[idx] = System.nanoTime() - due;
                    done.countDown();
                });
            }
            Go.blocking(() -> done.await(60, TimeUnit.SECONDS));
            return null;
        });
        return late;
    }

    private static long[] sleepersVt(int n, int seed) throws InterruptedException {
        long[] late = new long[n];
        CountDownLatch done = new CountDownLatch(n);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            int idx = i;
            long ms = 1 + rnd.nextInt(100);
            Thread.ofVirtual().start(() -> {
                long due = System.nanoTime() + ms * 1_000_000;
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException e) {
                    return;
                }
                late[idx] = System.nanoTime() - due;
                done.countDown();
            });
        }
        done.await(60, TimeUnit.SECONDS);
        return late;
    }

    private static long[] sleepersStpe(int n, int seed, int threads) throws InterruptedException {
        long[] late = new long[n];
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(threads);
        try {
            CountDownLatch done = new CountDownLatch(n);
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = 0; i < n; i++) {
                int idx = i;
                long ms = 1 + rnd.nextInt(100);
                long due = System.nanoTime() + ms * 1_000_000;
                ex.schedule(
                        () -> {
                            late[idx] = System.nanoTime() - due;
                            done.countDown();
                        },
                        ms,
                        TimeUnit.MILLISECONDS);
            }
            done.await(60, TimeUnit.SECONDS);
        } finally {
            ex.shutdownNow();
        }
        return late;
    }

    private static double addStopJgo(GoRuntime rt, int ops) {
        return rt.run(() -> {
            long t0 = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                Timer t = Time.newTimer(Duration.ofSeconds(1));
                t.stop();
            }
            return ops / ((System.nanoTime() - t0) / 1e9);
        });
    }

    private static double addStopStpe(int ops) {
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1);
        ex.setRemoveOnCancelPolicy(true);
        try {
            Runnable noop = () -> {};
            long t0 = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                ScheduledFuture<?> f = ex.schedule(noop, 1, TimeUnit.SECONDS);
                f.cancel(false);
            }
            return ops / ((System.nanoTime() - t0) / 1e9);
        } finally {
            ex.shutdownNow();
        }
    }

    private static long[] underLoadJgo(GoRuntime rt, int procs) {
        return rt.run(() -> {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger busy = new AtomicInteger();
            for (int i = 0; i < 2 * procs; i++) {
                Go.go(() -> {
                    busy.incrementAndGet();
                    long x = 0;
                    while (!stop.get()) {
                        x = x * 31 + 7;
                        Go.checkpoint();
                    }
                    sink = x;
                    busy.decrementAndGet();
                });
            }
            long[] late = new long[100];
            for (int i = 0; i < late.length; i++) {
                long due = System.nanoTime() + 10_000_000;
                Go.sleep(Duration.ofMillis(10));
                late[i] = System.nanoTime() - due;
            }
            stop.set(true);
            return late;
        });
    }

    private static long[] underLoadVt(int procs) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] hogs = new Thread[2 * procs];
        for (int i = 0; i < hogs.length; i++) {
            hogs[i] = Thread.ofVirtual().start(() -> {
                long x = 0;
                while (!stop.get()) {
                    x = x * 31 + 7;
                }
                sink = x;
            });
        }
        long[] late = new long[100];
        Thread t = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < late.length; i++) {
                long due = System.nanoTime() + 10_000_000;
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
                late[i] = System.nanoTime() - due;
            }
        });
        t.join(30_000);
        stop.set(true);
        for (Thread h : hogs) {
            h.join(10_000);
        }
        if (t.isAlive()) {
            System.out.println("under load, virtual threads: the sleeper did not finish in 30 s (no preemption)");
            Arrays.fill(late, 30_000_000_000L);
        }
        return late;
    }
}
