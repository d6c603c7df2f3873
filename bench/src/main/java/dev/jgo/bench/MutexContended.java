package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Mutex;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Mutex under contention: {@value #WORKERS} goroutines take one lock {@code n} times in total,
 * each time adding a distinct value of 0 .. n-1 to a plain field inside the critical section.
 * Peers: jgo {@link Mutex}, {@link ReentrantLock} (non-fair, as Go's normal mode) on virtual
 * threads; jox has no mutex. Checksum: the field's final value, 0 + 1 + ... + (n-1): a lost
 * update (two holders at once) changes it.
 */
public final class MutexContended implements Workload {
    static final int WORKERS = 4;

    @Override
    public String name() {
        return "mutex";
    }

    @Override
    public String description() {
        return WORKERS + " goroutines lock one mutex n times in total (vt: ReentrantLock; no jox peer)";
    }

    @Override
    public int defaultN() {
        return 1_000_000;
    }

    @Override
    public long expected(int n) {
        return Workload.triangle(n);
    }

    /** The guarded state: plain fields, written only under the lock. */
    private static final class Counter {
        long sum;
    }

    @Override
    public long runJgo(GoRuntime rt, int n) {
        Workload.requireN(n, 1, name());
        return rt.run(() -> {
            Mutex mu = new Mutex();
            Counter c = new Counter();
            Join j = new Join(WORKERS);
            for (int w = 0; w < WORKERS; w++) {
                long first = w;
                Go.go(() -> {
                    for (long v = first; v < n; v += WORKERS) {
                        mu.lock();
                        c.sum += v;
                        mu.unlock();
                    }
                    j.arrive(0);
                });
            }
            j.await();
            mu.lock(); // acquire edge with the last holder's unlock
            long s = c.sum;
            mu.unlock();
            return s;
        });
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 1, name());
        return Workload.inVirtualThread(() -> {
            ReentrantLock mu = new ReentrantLock();
            Counter c = new Counter();
            Join j = new Join(WORKERS);
            for (int w = 0; w < WORKERS; w++) {
                long first = w;
                Thread.startVirtualThread(() -> {
                    for (long v = first; v < n; v += WORKERS) {
                        mu.lock();
                        try {
                            c.sum += v;
                        } finally {
                            mu.unlock();
                        }
                    }
                    j.arrive(0);
                });
            }
            j.await();
            mu.lock();
            try {
                return c.sum;
            } finally {
                mu.unlock();
            }
        });
    }
}
