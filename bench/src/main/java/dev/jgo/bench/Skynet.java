package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveTask;

/**
 * Skynet: a tree of goroutines with {@code n} leaves and branching 10; leaf {@code i} reports
 * {@code i}, every inner node sums its children's reports and reports the sum to its parent. For
 * n = 1,000,000 that is 1,111,111 goroutines. Checksum: 0 + 1 + ... + (n-1).
 *
 * <p>A node whose range is not a multiple of 10 splits it as evenly as integer division allows,
 * so any {@code n >= 1} works. Each inner node waits on one {@link Join} that its children
 * report into, on every peer, so the peers run the same algorithm on their own park primitive.
 *
 * <p>The Go original has each node receive from an unbuffered channel its children send on; that
 * form is {@link SkynetChan} (the {@code chan} group). This one keeps {@code Join}: with a channel
 * an inner node parks up to once per child report and every leaf parks until its parent receives,
 * instead of one park per node, and at 1M leaves on 2 cores the jgo run took about 1.9-2.3 s
 * against about 1.0 s with {@code Join} (the virtual-thread peer, on {@code Join} too, about 1.1
 * s). The scheduler suite measures spawning and joining; channel cost is measured by the {@code
 * chan} group.
 */
public final class Skynet implements Workload {
    static final int DIV = 10;

    @Override
    public String name() {
        return "skynet";
    }

    @Override
    public String description() {
        return "tree of n leaves, branching 10, sums reported up (1M leaves = 1.11M goroutines)";
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
            Join root = new Join(1);
            goNode(root, 0, n);
            return root.await();
        });
    }

    private static void goNode(Join parent, long num, long size) {
        if (size == 1) {
            parent.arrive(num);
            return;
        }
        int k = (int) Math.min(DIV, size);
        Join j = new Join(k);
        for (int i = 0; i < k; i++) {
            long lo = num + i * size / k;
            long hi = num + (i + 1) * size / k;
            Go.go(() -> goNode(j, lo, hi - lo));
        }
        parent.arrive(j.await());
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 1, name());
        return Workload.inVirtualThread(() -> {
            Join root = new Join(1);
            vtNode(root, 0, n);
            return root.await();
        });
    }

    private static void vtNode(Join parent, long num, long size) {
        if (size == 1) {
            parent.arrive(num);
            return;
        }
        int k = (int) Math.min(DIV, size);
        Join j = new Join(k);
        for (int i = 0; i < k; i++) {
            long lo = num + i * size / k;
            long hi = num + (i + 1) * size / k;
            Thread.startVirtualThread(() -> vtNode(j, lo, hi - lo));
        }
        parent.arrive(j.await());
    }

    @Override
    public boolean hasForkJoin() {
        return true;
    }

    @Override
    public long runForkJoin(ForkJoinPool pool, int n) {
        Workload.requireN(n, 1, name());
        return pool.invoke(new Node(0, n));
    }

    /** The ForkJoin version: a node forks its children and joins them. */
    private static final class Node extends RecursiveTask<Long> {
        private static final long serialVersionUID = 1L;
        private final long num;
        private final long size;

        Node(long num, long size) {
            this.num = num;
            this.size = size;
        }

        @Override
        protected Long compute() {
            if (size == 1) {
                return num;
            }
            int k = (int) Math.min(DIV, size);
            Node[] kids = new Node[k];
            for (int i = 0; i < k; i++) {
                long lo = num + i * size / k;
                long hi = num + (i + 1) * size / k;
                kids[i] = new Node(lo, hi - lo);
                kids[i].fork();
            }
            long sum = 0;
            for (int i = k - 1; i >= 0; i--) {
                sum += kids[i].join();
            }
            return sum;
        }
    }
}
