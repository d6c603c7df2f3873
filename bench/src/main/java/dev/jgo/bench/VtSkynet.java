package dev.jgo.bench;

import dev.jgo.GoRuntime;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Skynet of JDK virtual threads: the tree of {@link Skynet} (n leaves, branching 10), every node a
 * virtual thread that starts its children and waits for their reports on a {@link
 * CountDownLatch}: plain blocking Java code, the same on both peers. On {@code jgo} the threads
 * come from {@link GoRuntime#virtualThreadBuilder()}, on {@code vt} from {@link
 * Thread#ofVirtual()}. Checksum: 0 + 1 + ... + (n-1).
 */
public final class VtSkynet extends VirtualThreadWorkload {

    @Override
    public String name() {
        return "vt-skynet";
    }

    @Override
    public String description() {
        return "skynet of virtual threads, CountDownLatch joins (jgo: virtualThreadBuilder)";
    }

    @Override
    public int defaultN() {
        return 100_000;
    }

    @Override
    public long expected(int n) {
        return Workload.triangle(n);
    }

    @Override
    long run(ThreadFactory f, int n) throws Exception {
        Workload.requireN(n, 1, "vt-skynet");
        return inThread(f, () -> node(f, 0, n));
    }

    /** The sum of the leaves of the subtree of {@code size} leaves from {@code num}. */
    private static long node(ThreadFactory f, long num, long size) throws InterruptedException {
        if (size == 1) {
            return num;
        }
        int k = (int) Math.min(Skynet.DIV, size);
        CountDownLatch done = new CountDownLatch(k);
        AtomicLong sum = new AtomicLong();
        for (int i = 0; i < k; i++) {
            long lo = num + i * size / k;
            long hi = num + (i + 1) * size / k;
            f.newThread(() -> {
                        try {
                            sum.addAndGet(node(f, lo, hi - lo));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            done.countDown();
                        }
                    })
                    .start();
        }
        done.await();
        return sum.get();
    }
}
