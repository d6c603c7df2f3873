package dev.jgo.bench;

import com.softwaremill.jox.Channel;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Select;

/**
 * Select over 4 channels: 4 producers each send their quarter of 0 .. n-1 (producer {@code p}
 * the values congruent to {@code p} mod 4) on their own unbuffered channel, and the main
 * goroutine runs {@code n} selects, each receiving from whichever channel is ready. Peers: jgo
 * {@link Select} (built once, selected n times), jox {@code Select.select} over receive clauses on
 * virtual threads. The JDK has no select over queues, so there is no virtual-thread version.
 * Checksum: the sum of the values received, 0 + 1 + ... + (n-1).
 */
public final class Select4 implements Workload {
    static final int CHANNELS = 4;

    @Override
    public String name() {
        return "select-4";
    }

    @Override
    public String description() {
        return "n selects over " + CHANNELS + " unbuffered channels, one producer each (no vt peer)";
    }

    @Override
    public int defaultN() {
        return 1_000_000;
    }

    @Override
    public long expected(int n) {
        return Workload.triangle(n);
    }

    @Override
    public long runJgo(GoRuntime rt, int n) {
        Workload.requireN(n, 1, name());
        return rt.run(() -> {
            long[] sum = {0};
            Select s = Select.create();
            for (int p = 0; p < CHANNELS; p++) {
                Chan<Long> c = Chan.make(0);
                long first = p;
                Go.go(() -> {
                    for (long v = first; v < n; v += CHANNELS) {
                        c.send(v);
                    }
                });
                s.recv(c, v -> sum[0] += v);
            }
            for (int i = 0; i < n; i++) {
                s.select();
            }
            return sum[0];
        });
    }

    @Override
    public boolean hasVirtual() {
        return false;
    }

    @Override
    public long runVirtual(int n) {
        throw new UnsupportedOperationException(name() + " has no virtual-thread version (no select in the JDK)");
    }

    @Override
    public boolean hasJox() {
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public long runJox(int n) throws Exception {
        Workload.requireN(n, 1, name());
        return Workload.inVirtualThread(() -> {
            Channel<Long>[] cs = new Channel[CHANNELS];
            for (int p = 0; p < CHANNELS; p++) {
                Channel<Long> c = Channel.newRendezvousChannel();
                cs[p] = c;
                long first = p;
                Thread.startVirtualThread(() -> {
                    try {
                        for (long v = first; v < n; v += CHANNELS) {
                            c.send(v);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += com.softwaremill.jox.Select.select(
                        cs[0].receiveClause(), cs[1].receiveClause(), cs[2].receiveClause(), cs[3].receiveClause());
            }
            return sum;
        });
    }
}
