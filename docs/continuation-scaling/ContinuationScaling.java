import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * The bare JDK continuation, one yield + run per iteration, on 1 and on 2 platform threads at
 * once, each thread with its own continuation (nothing shared in Java code). Prints ns per yield +
 * run per thread. With "spacers" > 0, that many parked threads are started after each worker, so
 * that the workers' thread structures in the VM are not allocated side by side.
 *
 * <p>Arguments: spacers (default 0), iterations per thread (default 20000000), rounds (default
 * 4). Run with {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}.
 */
public class ContinuationScaling {
    static final ContinuationScope SCOPE = new ContinuationScope("scaling");

    public static void main(String[] a) throws Exception {
        int spacers = a.length > 0 ? Integer.parseInt(a[0]) : 0;
        long n = a.length > 1 ? Long.parseLong(a[1]) : 20_000_000L;
        int rounds = a.length > 2 ? Integer.parseInt(a[2]) : 4;
        for (int r = 0; r < rounds; r++) {
            for (int threads = 1; threads <= 2; threads++) {
                System.out.printf("threads=%d spacers=%d: %.1f ns per yield+run per thread%n",
                        threads, spacers, run(threads, spacers, n));
            }
        }
    }

    static double run(int threads, int spacers, long n) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<Thread> parked = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                Thread w = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    Continuation c = new Continuation(SCOPE, () -> {
                        while (true) {
                            Continuation.yield(SCOPE);
                        }
                    });
                    for (long k = 0; k < n; k++) {
                        c.run();
                    }
                });
                w.start();
                workers.add(w);
                for (int s = 0; s < spacers; s++) {
                    Thread p = new Thread(LockSupport::park);
                    p.setDaemon(true);
                    p.start();
                    parked.add(p);
                }
            }
            long t0 = System.nanoTime();
            go.countDown();
            for (Thread w : workers) {
                w.join();
            }
            return (System.nanoTime() - t0) / (double) n;
        } finally {
            parked.forEach(LockSupport::unpark);
        }
    }
}
