package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * Sleepers: {@code n} goroutines each sleep 1-10 ms ({@link Go#sleep}; virtual threads: {@link
 * Thread#sleep}) while {@code busy} goroutines keep the processors loaded, yielding between
 * chunks of work. Measures timer throughput and how well a loaded scheduler keeps its timers on
 * time (Go's issue 38860). Checksum: the sum of the sleepers' indices, {@code n(n-1)/2}.
 */
public final class Sleepers implements Workload {
    private final int busy;

    /** {@code busy} CPU-bound goroutines alongside the sleepers; the suite uses one per processor. */
    public Sleepers(int busy) {
        if (busy < 0) {
            throw new IllegalArgumentException("busy must be at least 0, got " + busy);
        }
        this.busy = busy;
    }

    static long sleepNanos(int i) {
        return (1 + (i * 7919L) % 10) * 1_000_000L;
    }

    /**
     * Chunks of work a busy goroutine does at most. Bounded so that a scheduler that starves
     * sleepers behind busy yielders (the JDK's virtual-thread scheduler re-runs a yielding thread
     * at once) still finishes, only later.
     */
    static final int MAX_CHUNKS = 2_500;

    /** A chunk of work the busy goroutines do between yields (tens of microseconds). */
    static long work(long x) {
        for (int i = 0; i < 20_000; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    /**
     * Starts {@code busy} loaders with {@code go}. Each asks {@code more} once as it starts for its
     * stop rule, then does chunks of {@link #work} with {@code yield} after each while the rule,
     * given the chunks done so far, allows another; it then arrives at the returned join.
     */
    static Join startLoad(int busy, Consumer<Runnable> go, Runnable yield, Supplier<IntPredicate> more) {
        Join load = new Join(busy);
        for (int b = 0; b < busy; b++) {
            go.accept(() -> {
                IntPredicate another = more.get();
                long x = 1;
                for (int c = 0; another.test(c); c++) {
                    x = work(x);
                    yield.run();
                }
                load.arrive(x == 0 ? 1 : 0);
            });
        }
        return load;
    }

    @Override
    public String name() {
        return "sleepers";
    }

    @Override
    public String description() {
        return "n goroutines sleep 1-10 ms while " + busy + " goroutines keep the CPUs busy (Go.sleep / Thread.sleep)";
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
    public long runJgo(GoRuntime rt, int n) {
        Workload.requireN(n, 0, name());
        return rt.run(() -> {
            AtomicBoolean done = new AtomicBoolean();
            Join load = startLoad(busy, Go::go, Go::yield, () -> c -> c < MAX_CHUNKS && !done.get());
            Join j = new Join(n);
            for (int i = 0; i < n; i++) {
                int k = i;
                Go.go(() -> {
                    Go.sleep(Duration.ofNanos(sleepNanos(k)));
                    j.arrive(k);
                });
            }
            long sum = n == 0 ? 0 : j.await();
            done.set(true);
            if (busy > 0) {
                load.await();
            }
            return sum;
        });
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 0, name());
        return Workload.inVirtualThread(() -> {
            AtomicBoolean done = new AtomicBoolean();
            Join load = startLoad(
                    busy, Thread::startVirtualThread, Thread::yield, () -> c -> c < MAX_CHUNKS && !done.get());
            Join j = new Join(n);
            for (int i = 0; i < n; i++) {
                int k = i;
                Thread.startVirtualThread(() -> {
                    try {
                        Thread.sleep(Duration.ofNanos(sleepNanos(k)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    j.arrive(k);
                });
            }
            long sum = n == 0 ? 0 : j.await();
            done.set(true);
            if (busy > 0) {
                load.await();
            }
            return sum;
        });
    }
}
