package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;

/**
 * Yield-many: {@code goroutines} goroutines each call {@link Go#yield()} ({@code runtime.Gosched})
 * {@code n / goroutines} times; virtual threads call {@link Thread#yield()}. Checksum: the number
 * of yields done, {@code goroutines * (n / goroutines)}.
 */
public final class YieldMany implements Workload {
    private final int goroutines;

    /** {@code goroutines} yielders; the suite uses 2 per processor. */
    public YieldMany(int goroutines) {
        if (goroutines < 1) {
            throw new IllegalArgumentException("goroutines must be at least 1, got " + goroutines);
        }
        this.goroutines = goroutines;
    }

    @Override
    public String name() {
        return "yield-many";
    }

    @Override
    public String description() {
        return goroutines + " goroutines yield n times in total (Go.yield / Thread.yield)";
    }

    @Override
    public int defaultN() {
        return 1_000_000;
    }

    @Override
    public long expected(int n) {
        return (long) goroutines * (n / goroutines);
    }

    @Override
    public long runJgo(GoRuntime rt, int n) {
        Workload.requireN(n, 0, name());
        int each = n / goroutines;
        return rt.run(() -> {
            Join j = new Join(goroutines);
            for (int g = 0; g < goroutines; g++) {
                Go.go(() -> {
                    for (int i = 0; i < each; i++) {
                        Go.yield();
                    }
                    j.arrive(each);
                });
            }
            return j.await();
        });
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 0, name());
        int each = n / goroutines;
        return Workload.inVirtualThread(() -> {
            Join j = new Join(goroutines);
            for (int g = 0; g < goroutines; g++) {
                Thread.startVirtualThread(() -> {
                    for (int i = 0; i < each; i++) {
                        Thread.yield();
                    }
                    j.arrive(each);
                });
            }
            return j.await();
        });
    }
}
