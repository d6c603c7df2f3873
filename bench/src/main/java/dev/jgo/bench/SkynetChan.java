package dev.jgo.bench;

import com.softwaremill.jox.Channel;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import java.util.concurrent.SynchronousQueue;

/**
 * Skynet exactly as Go's original: every inner node makes an unbuffered channel, starts its
 * children, receives their {@code k} reports from it and sends the sum on its parent's channel; a
 * leaf sends its number. The same tree as {@link Skynet} (which joins children through one {@link
 * Join} per node, one park per node instead of up to one per child report). Peers: jgo {@link
 * Chan}, {@link SynchronousQueue} on virtual threads, jox rendezvous channels on virtual threads.
 * Checksum: 0 + 1 + ... + (n-1).
 */
public final class SkynetChan implements Workload {

    @Override
    public String name() {
        return "skynet-chan";
    }

    @Override
    public String description() {
        return "skynet with Go's unbuffered channels (vt: SynchronousQueue), n leaves (default 100000)";
    }

    @Override
    public int defaultN() {
        return 100_000; // jox needs about 18 s for 1M leaves on 2 cores; 100k keeps the group short
    }

    @Override
    public long expected(int n) {
        return Workload.triangle(n);
    }

    /** Child {@code i} of {@code k} covers {@code [lo(i), lo(i+1))} of the node's range. */
    private static long lo(long num, long size, int k, int i) {
        return num + i * size / k;
    }

    @Override
    public long runJgo(GoRuntime rt, int n) {
        Workload.requireN(n, 1, name());
        return rt.run(() -> {
            Chan<Long> root = Chan.make(0);
            Go.go(() -> goNode(root, 0, n));
            return root.recv();
        });
    }

    private static void goNode(Chan<Long> parent, long num, long size) {
        if (size == 1) {
            parent.send(num);
            return;
        }
        int k = (int) Math.min(Skynet.DIV, size);
        Chan<Long> rc = Chan.make(0);
        for (int i = 0; i < k; i++) {
            long lo = lo(num, size, k, i);
            long hi = lo(num, size, k, i + 1);
            Go.go(() -> goNode(rc, lo, hi - lo));
        }
        long sum = 0;
        for (int i = 0; i < k; i++) {
            sum += rc.recv();
        }
        parent.send(sum);
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 1, name());
        return Workload.inVirtualThread(() -> {
            SynchronousQueue<Long> root = new SynchronousQueue<>();
            Thread.startVirtualThread(() -> vtNode(root, 0, n));
            return root.take();
        });
    }

    private static void vtNode(SynchronousQueue<Long> parent, long num, long size) {
        try {
            if (size == 1) {
                parent.put(num);
                return;
            }
            int k = (int) Math.min(Skynet.DIV, size);
            SynchronousQueue<Long> rc = new SynchronousQueue<>();
            for (int i = 0; i < k; i++) {
                long lo = lo(num, size, k, i);
                long hi = lo(num, size, k, i + 1);
                Thread.startVirtualThread(() -> vtNode(rc, lo, hi - lo));
            }
            long sum = 0;
            for (int i = 0; i < k; i++) {
                sum += rc.take();
            }
            parent.put(sum);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean hasJox() {
        return true;
    }

    @Override
    public long runJox(int n) throws Exception {
        Workload.requireN(n, 1, name());
        return Workload.inVirtualThread(() -> {
            Channel<Long> root = Channel.newRendezvousChannel();
            Thread.startVirtualThread(() -> joxNode(root, 0, n));
            return root.receive();
        });
    }

    private static void joxNode(Channel<Long> parent, long num, long size) {
        try {
            if (size == 1) {
                parent.send(num);
                return;
            }
            int k = (int) Math.min(Skynet.DIV, size);
            Channel<Long> rc = Channel.newRendezvousChannel();
            for (int i = 0; i < k; i++) {
                long lo = lo(num, size, k, i);
                long hi = lo(num, size, k, i + 1);
                Thread.startVirtualThread(() -> joxNode(rc, lo, hi - lo));
            }
            long sum = 0;
            for (int i = 0; i < k; i++) {
                sum += rc.receive();
            }
            parent.send(sum);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
