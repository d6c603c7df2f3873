package dev.jgo.bench;

import dev.jgo.GoRuntime;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;

/**
 * Ping-pong between two JDK virtual threads over two {@link SynchronousQueue}s, {@code n} round
 * trips: plain blocking Java code, the same on both peers. On {@code jgo} the threads come from
 * {@link GoRuntime#virtualThreadBuilder()} (jgo's Ms and run queues are their scheduler); on
 * {@code vt} from {@link Thread#ofVirtual()} (the JDK's ForkJoinPool). Checksum: the echoes of 0
 * .. n-1 summed, 0 + 1 + ... + (n-1).
 */
public final class VtPingPong extends VirtualThreadWorkload {

    @Override
    public String name() {
        return "vt-pingpong";
    }

    @Override
    public String description() {
        return "two virtual threads, n round trips over SynchronousQueues (jgo: virtualThreadBuilder)";
    }

    @Override
    public int defaultN() {
        return 200_000;
    }

    @Override
    public long expected(int n) {
        return Workload.triangle(n);
    }

    @Override
    long run(ThreadFactory f, int n) throws Exception {
        Workload.requireN(n, 1, "vt-pingpong");
        return inThread(f, () -> {
            SynchronousQueue<Integer> ping = new SynchronousQueue<>();
            SynchronousQueue<Integer> pong = new SynchronousQueue<>();
            Thread echo = f.newThread(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        pong.put(ping.take());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            echo.start();
            long sum = 0;
            for (int i = 0; i < n; i++) {
                ping.put(i);
                sum += pong.take();
            }
            echo.join();
            return sum;
        });
    }
}
