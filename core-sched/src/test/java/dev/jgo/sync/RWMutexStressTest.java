package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A misused RUnlock (of an RWMutex that no reader holds) throws and leaves the state as it was,
 * atomically: writers that use the mutex correctly at the same moment never see the misuse's
 * effect (a writer would wait for a reader that does not exist). A misused Unlock is not
 * stressed here: with a writer holding the mutex, an Unlock from another thread is legal.
 */
@Timeout(120)
class RWMutexStressTest {

    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    @Test
    void misusedRUnlocksDoNotDisturbConcurrentWriters() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            RWMutex rw = new RWMutex();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong misuses = new AtomicLong();
            AtomicInteger insideWriters = new AtomicInteger();
            AtomicInteger badOverlap = new AtomicInteger();
            // Plain threads misuse the mutex as fast as they can; each misuse must throw.
            Thread[] misusers = new Thread[2];
            for (int t = 0; t < misusers.length; t++) {
                misusers[t] = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            rw.rUnlock(); // nobody holds a read lock: always a misuse
                        } catch (IllegalStateException expected) {
                            misuses.incrementAndGet();
                        }
                    }
                });
                misusers[t].setDaemon(true);
            }
            // Goroutines use it correctly: writers lock and unlock.
            CountDownLatch done = new CountDownLatch(1);
            AtomicLong locks = new AtomicLong();
            rt.go(() -> {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500L * STRESS);
                dev.jgo.sync.WaitGroup wg = new dev.jgo.sync.WaitGroup();
                for (int w = 0; w < 2; w++) {
                    wg.add(1);
                    Go.go(() -> {
                        try {
                            while (System.nanoTime() < until) {
                                rw.lock();
                                if (insideWriters.incrementAndGet() != 1) {
                                    badOverlap.incrementAndGet();
                                }
                                insideWriters.decrementAndGet();
                                rw.unlock();
                                locks.incrementAndGet();
                            }
                        } finally {
                            wg.done();
                        }
                    });
                }
                wg.await();
                done.countDown();
            });
            for (Thread t : misusers) {
                t.start();
            }
            boolean finished = done.await(60, TimeUnit.SECONDS);
            stop.set(true);
            for (Thread t : misusers) {
                t.join(10_000);
            }
            assertTrue(
                    finished,
                    "RUnlock misuse hung a writer after " + locks.get() + " locks, " + misuses.get() + " misuses");
            assertEquals(0, badOverlap.get(), "two writers inside at once");
            assertTrue(misuses.get() > 0 && locks.get() > 0, "both sides ran");
            assertTrue(rw.tryLock(), "unlocked at the end");
            rw.unlock();
            assertTrue(rw.tryRLock(), "no writer left behind");
            rw.rUnlock();
        }
    }
}
