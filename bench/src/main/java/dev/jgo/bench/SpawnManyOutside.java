package dev.jgo.bench;

import dev.jgo.GoRuntime;

/**
 * Spawn-many from outside the runtime: the benchmark's platform thread starts {@code n}
 * goroutines with {@link GoRuntime#go} (virtual threads with {@link Thread#startVirtualThread})
 * and waits for all of them on a {@link Join}. Checksum: 0 + 1 + ... + (n-1).
 */
public final class SpawnManyOutside implements Workload {

    @Override
    public String name() {
        return "spawn-many-outside";
    }

    @Override
    public String description() {
        return "the benchmark thread starts n goroutines (rt.go) that each report to one Join";
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
        Join j = new Join(n);
        for (int i = 0; i < n; i++) {
            long v = i;
            rt.go(() -> j.arrive(v));
        }
        return j.await();
    }

    @Override
    public long runVirtual(int n) {
        Workload.requireN(n, 0, name());
        Join j = new Join(n);
        for (int i = 0; i < n; i++) {
            long v = i;
            Thread.startVirtualThread(() -> j.arrive(v));
        }
        return j.await();
    }
}
