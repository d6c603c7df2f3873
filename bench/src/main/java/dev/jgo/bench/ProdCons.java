package dev.jgo.bench;

import com.softwaremill.jox.Channel;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Buffered producer/consumer: {@value #PRODUCERS} producers send the values 0 .. n-1 (producer
 * {@code p} those congruent to {@code p}) into one channel of capacity {@value #CAPACITY}, and
 * {@value #CONSUMERS} consumers receive them (consumer {@code c} a fixed share, so no close is
 * needed and every peer runs the same protocol). Peers: jgo {@link Chan}, {@link
 * ArrayBlockingQueue} on virtual threads, jox buffered channels on virtual threads. Checksum: the
 * sum of the values received, 0 + 1 + ... + (n-1): a value lost or received twice changes it.
 */
public final class ProdCons implements Workload {
    static final int PRODUCERS = 2;
    static final int CONSUMERS = 2;
    static final int CAPACITY = 128;

    @Override
    public String name() {
        return "prod-cons";
    }

    @Override
    public String description() {
        return PRODUCERS + " producers, " + CONSUMERS + " consumers, n values through a channel of capacity " + CAPACITY
                + " (vt: ArrayBlockingQueue)";
    }

    @Override
    public int defaultN() {
        return 1_000_000;
    }

    @Override
    public long expected(int n) {
        return Workload.triangle(n);
    }

    /** How many values consumer {@code c} receives. */
    static int share(int n, int c) {
        return n / CONSUMERS + (c < n % CONSUMERS ? 1 : 0);
    }

    @Override
    public long runJgo(GoRuntime rt, int n) {
        Workload.requireN(n, 1, name());
        return rt.run(() -> {
            Chan<Long> ch = Chan.make(CAPACITY);
            Join j = new Join(CONSUMERS);
            for (int p = 0; p < PRODUCERS; p++) {
                long first = p;
                Go.go(() -> {
                    for (long v = first; v < n; v += PRODUCERS) {
                        ch.send(v);
                    }
                });
            }
            for (int c = 0; c < CONSUMERS; c++) {
                int k = share(n, c);
                Go.go(() -> {
                    long sum = 0;
                    for (int i = 0; i < k; i++) {
                        sum += ch.recv();
                    }
                    j.arrive(sum);
                });
            }
            return j.await();
        });
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 1, name());
        return Workload.inVirtualThread(() -> {
            ArrayBlockingQueue<Long> q = new ArrayBlockingQueue<>(CAPACITY);
            Join j = new Join(CONSUMERS);
            for (int p = 0; p < PRODUCERS; p++) {
                long first = p;
                Thread.startVirtualThread(() -> {
                    try {
                        for (long v = first; v < n; v += PRODUCERS) {
                            q.put(v);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            for (int c = 0; c < CONSUMERS; c++) {
                int k = share(n, c);
                Thread.startVirtualThread(() -> {
                    long sum = 0;
                    try {
                        for (int i = 0; i < k; i++) {
                            sum += q.take();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    j.arrive(sum);
                });
            }
            return j.await();
        });
    }

    @Override
    public boolean hasJox() {
        return true;
    }

    @Override
    public long runJox(int n) throws Exception {
        Workload.requireN(n, 1, name());
        return Workload.inVirtualThread(() -> {
            Channel<Long> ch = Channel.newBufferedChannel(CAPACITY);
            Join j = new Join(CONSUMERS);
            for (int p = 0; p < PRODUCERS; p++) {
                long first = p;
                Thread.startVirtualThread(() -> {
                    try {
                        for (long v = first; v < n; v += PRODUCERS) {
                            ch.send(v);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            for (int c = 0; c < CONSUMERS; c++) {
                int k = share(n, c);
                Thread.startVirtualThread(() -> {
                    long sum = 0;
                    try {
                        for (int i = 0; i < k; i++) {
                            sum += ch.receive();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    j.arrive(sum);
                });
            }
            return j.await();
        });
    }
}
