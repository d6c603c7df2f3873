package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goroutines started from several platform threads at once while the ones before them exit and
 * refill the free lists: every G handed out by the outside free batch ({@code NewProc.gfgetGlobal})
 * runs exactly once, and none is lost or shared.
 */
@Timeout(120)
class OutsideSpawnStressTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    @Test
    void concurrentOutsideSpawnersLoseAndShareNoGoroutine() throws Exception {
        int threads = 4;
        int each = 20_000 * STRESS;
        for (int round = 0; round < 5; round++) {
            try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
                LongAdder ran = new LongAdder();
                AtomicLong sum = new AtomicLong();
                CountDownLatch done = new CountDownLatch(threads * each);
                Thread[] ts = new Thread[threads];
                for (int t = 0; t < threads; t++) {
                    long base = (long) t * each;
                    ts[t] = Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < each; i++) {
                            long v = base + i;
                            rt.go(() -> {
                                ran.increment();
                                sum.addAndGet(v);
                                done.countDown();
                            });
                        }
                    });
                }
                for (Thread t : ts) {
                    t.join();
                }
                long n = (long) threads * each;
                assertTrue(done.await(60, TimeUnit.SECONDS), "every goroutine ran");
                assertEquals(n, ran.sum(), "each exactly once");
                assertEquals(n * (n - 1) / 2, sum.get());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (rt.numGoroutine() != 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertEquals(0, rt.numGoroutine());
            }
        }
    }
}
