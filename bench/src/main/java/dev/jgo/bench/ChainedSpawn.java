package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;

/**
 * Chained-spawn: goroutine {@code i} starts goroutine {@code i + 1}, handing it the running sum
 * {@code 0 + ... + i}, and exits; the {@code n}-th reports the sum to a {@link Join} the main
 * goroutine waits on. At most two goroutines of the chain exist at a time. Checksum: 0 + 1 + ...
 * + (n-1).
 */
public final class ChainedSpawn implements Workload {

    @Override
    public String name() {
        return "chained-spawn";
    }

    @Override
    public String description() {
        return "a chain of n goroutines, each starting the next; the last reports";
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
            Join j = new Join(1);
            Go.go(() -> goLink(j, 0, 0, n));
            return j.await();
        });
    }

    private static void goLink(Join j, int i, long acc, int n) {
        long next = acc + i;
        if (i == n - 1) {
            j.arrive(next);
        } else {
            Go.go(() -> goLink(j, i + 1, next, n));
        }
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 1, name());
        return Workload.inVirtualThread(() -> {
            Join j = new Join(1);
            Thread.startVirtualThread(() -> vtLink(j, 0, 0, n));
            return j.await();
        });
    }

    private static void vtLink(Join j, int i, long acc, int n) {
        long next = acc + i;
        if (i == n - 1) {
            j.arrive(next);
        } else {
            Thread.startVirtualThread(() -> vtLink(j, i + 1, next, n));
        }
    }
}
