package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Micro-benchmarks of the system-call and preemption machinery (issue 4), each beside its
 * baseline in the same JVM, alternated, medians of several runs:
 *
 * <ul>
 *   <li>{@code Go.blocking} with an empty body (Go's BenchmarkSyscall) and {@code
 *       Go.blockingLong}, against the same loop calling the body directly, and against a
 *       virtual thread calling it;
 *   <li>the cost of {@code Go.checkpoint()} in a tight loop, against the loop without it;
 *   <li>hand-off latency: with one P, how long after a goroutine blocks in {@code Go.blocking}
 *       another runnable goroutine starts (sysmon's retake).
 * </ul>
 *
 * <p>Run: {@code java -cp assembly/target/jgo.jar dev.jgo.bench.SyscallBench [runs]}.
 */
public final class SyscallBench {
    private SyscallBench() {}

    static volatile long sink;

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        JvmInfo.describe().forEach(System.out::println);
        int n = 2_000_000;
        double[] direct = new double[runs];
        double[] blocking = new double[runs];
        double[] blockingLong = new double[runs];
        double[] vt = new double[runs];
        double[] loop = new double[runs];
        double[] loopCheckpoint = new double[runs];
        double[] handoff = new double[runs];
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            for (int warm = 0; warm < 2; warm++) {
                measureAll(rt, n, new double[7], 0);
            }
            for (int r = 0; r < runs; r++) {
                double[] m = new double[7];
                measureAll(rt, n, m, r);
                direct[r] = m[0];
                blocking[r] = m[1];
                blockingLong[r] = m[2];
                vt[r] = m[3];
                loop[r] = m[4];
                loopCheckpoint[r] = m[5];
                handoff[r] = m[6];
            }
        }
        System.out.printf("runs=%d (medians), procs=1%n", runs);
        System.out.printf("%-44s %10.1f ns/op%n", "direct call of the body (goroutine)", median(direct));
        System.out.printf("%-44s %10.1f ns/op%n", "Go.blocking(empty) (entersyscall)", median(blocking));
        System.out.printf("%-44s %10.1f ns/op%n", "Go.blockingLong(empty) (entersyscallblock)", median(blockingLong));
        System.out.printf("%-44s %10.1f ns/op%n", "virtual thread, direct call of the body", median(vt));
        System.out.printf("%-44s %10.2f ns/iter%n", "tight loop", median(loop));
        System.out.printf("%-44s %10.2f ns/iter%n", "tight loop + Go.checkpoint()", median(loopCheckpoint));
        System.out.printf("%-44s %10.1f us%n", "hand-off latency (blocking call -> next G)", median(handoff) / 1000);
        autoHandoffCost(runs);
    }

    /**
     * The hot-path cost of automatic hand-off: the same channel and yield loops on a runtime with
     * it off and one with it on, alternated.
     */
    private static void autoHandoffCost(int runs) {
        double[][] off = new double[2][runs];
        double[][] on = new double[2][runs];
        try (GoRuntime a = GoRuntime.builder().procs(1).build();
                GoRuntime b = GoRuntime.builder()
                        .procs(1)
                        .autoHandoff(java.time.Duration.ofMillis(1))
                        .build()) {
            for (int r = -2; r < runs; r++) {
                boolean offFirst = Math.floorMod(r, 2) == 0;
                double[] first = runtimeOps(offFirst ? a : b);
                double[] second = runtimeOps(offFirst ? b : a);
                if (r >= 0) {
                    double[] mOff = offFirst ? first : second;
                    double[] mOn = offFirst ? second : first;
                    for (int k = 0; k < 2; k++) {
                        off[k][r] = mOff[k];
                        on[k][r] = mOn[k];
                    }
                }
            }
        }
        System.out.printf("%-44s %10s %10s%n", "automatic hand-off cost", "off", "on");
        System.out.printf(
                "%-44s %10.1f %10.1f ns/op%n", "  Chan trySend+tryRecv (buffered)", median(off[0]), median(on[0]));
        System.out.printf("%-44s %10.1f %10.1f ns/op%n", "  Go.yield (one goroutine)", median(off[1]), median(on[1]));
    }

    private static double[] runtimeOps(GoRuntime rt) {
        return rt.run(() -> {
            int n = 1_000_000;
            dev.jgo.sync.Chan<Integer> c = dev.jgo.sync.Chan.make(1);
            Integer one = 1;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                c.trySend(one);
                c.tryRecv();
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Go.yield();
            }
            long t2 = System.nanoTime();
            return new double[] {(t1 - t0) / (double) n, (t2 - t1) / (double) n};
        });
    }

    private static void measureAll(GoRuntime rt, int n, double[] out, int round) throws Exception {
        // alternate the order of peers between rounds
        if (round % 2 == 0) {
            out[3] = virtualThread(n);
        }
        double[] g = rt.run(() -> {
            double[] m = new double[6];
            long t0 = System.nanoTime();
            long s = 0;
            for (int i = 0; i < n; i++) {
                s += body();
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                s += Go.blocking(SyscallBench::body);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < n / 10; i++) {
                s += Go.blockingLong(SyscallBench::body);
            }
            long t3 = System.nanoTime();
            sink = s;
            m[0] = (t1 - t0) / (double) n;
            m[1] = (t2 - t1) / (double) n;
            m[2] = (t3 - t2) / (double) (n / 10);
            int iters = 50_000_000;
            long x = 0;
            long t4 = System.nanoTime();
            for (int i = 0; i < iters; i++) {
                x = x * 31 + i;
            }
            long t5 = System.nanoTime();
            for (int i = 0; i < iters; i++) {
                x = x * 31 + i;
                Go.checkpoint();
            }
            long t6 = System.nanoTime();
            sink = x;
            m[3] = (t5 - t4) / (double) iters;
            m[4] = (t6 - t5) / (double) iters;
            // hand-off latency
            AtomicLong ranAt = new AtomicLong();
            CountDownLatch latch = new CountDownLatch(1);
            Go.go(() -> {
                ranAt.set(System.nanoTime());
                latch.countDown();
            });
            long blockedAt = System.nanoTime();
            Go.blocking(() -> latch.await(10, TimeUnit.SECONDS));
            m[5] = ranAt.get() - blockedAt;
            return m;
        });
        out[0] = g[0];
        out[1] = g[1];
        out[2] = g[2];
        out[4] = g[3];
        out[5] = g[4];
        out[6] = g[5];
        if (round % 2 != 0) {
            out[3] = virtualThread(n);
        }
    }

    private static long body() {
        return 1;
    }

    private static double virtualThread(int n) throws InterruptedException {
        double[] res = new double[1];
        Thread t = Thread.ofVirtual().start(() -> {
            long s = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                s += body();
            }
            res[0] = (System.nanoTime() - t0) / (double) n;
            sink = s;
        });
        t.join();
        return res[0];
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
