package dev.jgo.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The runtime lock spins briefly, then sleeps (Go's lock_futex): waiters of a holder that does
 * not come back soon park instead of spinning, no waiter sleeps through an unlock, and mutual
 * exclusion holds. Iterations scale with {@code -Djgo.stress=N}.
 */
@Timeout(120)
class SpinLockStressTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    /** A holder that is descheduled (here: sleeps) with the lock held leaves its waiters parked. */
    @Test
    void waitersParkWhileTheHolderIsAway() throws Exception {
        SpinLock lock = new SpinLock();
        int n = 4;
        lock.lock();
        AtomicInteger acquired = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(n);
        List<Thread> ws = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                started.countDown();
                lock.lock();
                acquired.incrementAndGet();
                lock.unlock();
            });
            t.setDaemon(true);
            ws.add(t);
            t.start();
        }
        try {
            assertTrue(started.await(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean allParked = false;
            while (!allParked && System.nanoTime() < deadline) {
                allParked = ws.stream().allMatch(t -> t.getState() == Thread.State.WAITING);
                Thread.sleep(5);
            }
            assertTrue(
                    allParked,
                    "waiters of an absent holder park: "
                            + ws.stream().map(Thread::getState).toList());
            assertEquals(0, acquired.get());
        } finally {
            lock.unlock();
        }
        for (Thread t : ws) {
            t.join(10_000);
            assertFalse(t.isAlive(), "a parked waiter was woken");
        }
        assertEquals(n, acquired.get());
        assertFalse(lock.isHeld());
    }

    /**
     * Many threads, short and occasionally long critical sections (so waiters both spin and
     * sleep): every increment of a plain counter survives, and every thread finishes (a lost
     * wake-up leaves one parked forever and the {@code @Timeout} fails the test).
     */
    /**
     * A waiter whose interrupt flag is set sleeps like any other (park would return at once and
     * spin it until woken) and gets its flag back with the lock.
     */
    @Test
    void anInterruptedWaiterSleepsAndKeepsItsFlag() throws Exception {
        SpinLock lock = new SpinLock();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        lock.lock();
        CountDownLatch waiting = new CountDownLatch(1);
        boolean[] flagAfter = new boolean[1];
        Thread t = new Thread(() -> {
            Thread.currentThread().interrupt();
            waiting.countDown();
            lock.lock();
            flagAfter[0] = Thread.currentThread().isInterrupted();
            lock.unlock();
        });
        t.start();
        try {
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
            Thread.sleep(100); // past its spins and yield: asleep now
            long cpu0 = mx.getThreadCpuTime(t.getId());
            Thread.sleep(500);
            long cpu = mx.getThreadCpuTime(t.getId()) - cpu0;
            assertTrue(cpu < 100_000_000L, "an interrupted waiter used " + cpu / 1_000_000 + " ms of CPU in 500 ms");
        } finally {
            lock.unlock();
            t.join(10_000);
        }
        assertFalse(t.isAlive());
        assertTrue(flagAfter[0], "the waiter's interrupt flag is handed back");
    }

    @Test
    void mutualExclusionAndNoLostWakeup() throws Exception {
        SpinLock lock = new SpinLock();
        int threads = 8;
        int iters = 100_000 * STRESS;
        long[] counter = new long[1];
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int k = 0; k < iters; k++) {
                    lock.lock();
                    long c = counter[0];
                    if (r.nextInt(20_000) == 0) {
                        LockSupportSleep.sleepMicros(r.nextInt(50, 500)); // a holder descheduled
                    }
                    counter[0] = c + 1;
                    lock.unlock();
                }
            });
            t.setDaemon(true);
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join(100_000);
            assertFalse(t.isAlive(), "a waiter never got the lock");
        }
        assertEquals((long) threads * iters, counter[0]);
        assertFalse(lock.isHeld());
    }

    /** Sleeps without a monitor: the holder's thread is away, as when descheduled. */
    private static final class LockSupportSleep {
        static void sleepMicros(int us) {
            long end = System.nanoTime() + us * 1000L;
            while (System.nanoTime() < end) {
                java.util.concurrent.locks.LockSupport.parkNanos(end - System.nanoTime());
            }
        }
    }
}
