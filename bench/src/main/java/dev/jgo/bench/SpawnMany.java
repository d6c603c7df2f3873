package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.util.concurrent.CountedCompleter;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spawn-many: a main goroutine starts {@code n} goroutines; goroutine {@code i} adds {@code i} to
 * a shared {@link Join} and exits; main waits for all. Checksum: 0 + 1 + ... + (n-1).
 */
public final class SpawnMany implements Workload {

    @Override
    public String name() {
        return "spawn-many";
    }

    @Override
    public String description() {
        return "a main goroutine starts n goroutines that each report to one Join, then waits";
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
        Workload.requireN(n, 0, name());
        return rt.run(() -> {
            Join j = new Join(n);
            for (int i = 0; i < n; i++) {
                long v = i;
                Go.go(() -> j.arrive(v));
            }
            return j.await();
        });
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 0, name());
        return Workload.inVirtualThread(() -> {
            Join j = new Join(n);
            for (int i = 0; i < n; i++) {
                long v = i;
                Thread.startVirtualThread(() -> j.arrive(v));
            }
            return j.await();
        });
    }

    @Override
    public boolean hasForkJoin() {
        return true;
    }

    /** As tasks: one root CountedCompleter forks {@code n} leaves from inside the pool. */
    @Override
    public long runForkJoin(ForkJoinPool pool, int n) {
        Workload.requireN(n, 0, name());
        AtomicLong sum = new AtomicLong();
        pool.invoke(new Root(n, sum));
        return sum.get();
    }

    private static final class Root extends CountedCompleter<Void> {
        private static final long serialVersionUID = 1L;
        private final int n;
        private final AtomicLong sum;

        Root(int n, AtomicLong sum) {
            this.n = n;
            this.sum = sum;
        }

        @Override
        public void compute() {
            setPendingCount(n);
            for (int i = 0; i < n; i++) {
                new Leaf(this, i, sum).fork();
            }
            tryComplete();
        }
    }

    private static final class Leaf extends CountedCompleter<Void> {
        private static final long serialVersionUID = 1L;
        private final long v;
        private final AtomicLong sum;

        Leaf(CountedCompleter<?> parent, long v, AtomicLong sum) {
            super(parent);
            this.v = v;
            this.sum = sum;
        }

        @Override
        public void compute() {
            sum.getAndAdd(v);
            tryComplete();
        }
    }
}
