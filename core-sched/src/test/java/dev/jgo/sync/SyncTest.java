package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.Scheduler;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** WaitGroup, Mutex, RWMutex and Once. */
@Timeout(30)
class SyncTest {

    private GoRuntime rt;

    @BeforeEach
    void start() {
        rt = GoRuntime.builder().procs(2).build();
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    @Timeout(10)
    void waitGroupWaitsForAll() {
        long sum = rt.run(() -> {
            WaitGroup wg = new WaitGroup();
            AtomicLong acc = new AtomicLong();
            for (int i = 1; i <= 500; i++) {
                int v = i;
                wg.add(1);
                Go.go(() -> {
                    acc.addAndGet(v);
                    wg.done();
                });
            }
            wg.await();
            wg.await(); // counter 0: returns at once
            return acc.get();
        });
        assertEquals(500L * 501 / 2, sum);
    }

    @Test
    @Timeout(10)
    void waitGroupNegativeCounter() {
        rt.run(() -> {
            WaitGroup wg = new WaitGroup();
            IllegalStateException e = assertThrows(IllegalStateException.class, wg::done);
            assertEquals("sync: negative WaitGroup counter", e.getMessage());
            wg.add(1);
            assertThrows(IllegalStateException.class, () -> wg.add(-2));
            wg.done(); // the failed add left the counter at 1
            wg.await();
        });
    }

    @Test
    @Timeout(10)
    void waitGroupDeadlock() {
        assertThrows(
                DeadlockException.class,
                () -> rt.run(() -> {
                    WaitGroup wg = new WaitGroup();
                    wg.add(1);
                    wg.await();
                }));
    }

    @Test
    @Timeout(15)
    void mutexMutualExclusionUnderContention() {
        int goroutines = 8;
        int iters = 5000;
        long[] counter = new long[1]; // plain field: lost updates show a broken mutex
        rt.run(() -> {
            Mutex mu = new Mutex();
            AtomicInteger inside = new AtomicInteger();
            AtomicBoolean overlap = new AtomicBoolean();
            WaitGroup wg = new WaitGroup();
            for (int g = 0; g < goroutines; g++) {
                wg.add(1);
                Go.go(() -> {
                    for (int i = 0; i < iters; i++) {
                        mu.lock();
                        if (inside.incrementAndGet() != 1) {
                            overlap.set(true);
                        }
                        counter[0]++;
                        if ((i & 63) == 0) {
                            Go.yield(); // hold the lock across a yield: others must park
                        }
                        inside.decrementAndGet();
                        mu.unlock();
                    }
                    wg.done();
                });
            }
            wg.await();
            assertFalse(overlap.get(), "two goroutines inside the mutex");
            assertEquals(0, mu.state(), "unlocked, no waiters: " + mu);
        });
        assertEquals((long) goroutines * iters, counter[0]);
    }

    /**
     * Regression: unlock passed its operation checkpoint before releasing, so when the budget ran
     * out there the holder yielded with the mutex still locked and every contender spun and
     * parked until it ran again (the contended-mutex benchmark ran at about half speed). On one P
     * with an odd budget, the yields fall alternately in lock and unlock; the other goroutine runs
     * only at those yields and must always find the mutex free.
     */
    @Test
    @Timeout(10)
    void unlockDoesNotYieldWhileHoldingTheMutex() {
        try (GoRuntime one = GoRuntime.builder()
                .procs(1)
                .fairnessPolicy(FairnessPolicy.of("budget-3", 61, true, true, 10_000_000_000L, 3))
                .build()) {
            int[] foundLocked = one.run(() -> {
                Mutex mu = new Mutex();
                int[] r = {0, 0}; // found locked, observations
                AtomicBoolean done = new AtomicBoolean();
                Go.go(() -> {
                    for (int i = 0; i < 1000; i++) {
                        mu.lock();
                        mu.unlock();
                    }
                    done.set(true);
                });
                while (!done.get()) {
                    if (mu.tryLock()) {
                        mu.unlock();
                    } else {
                        r[0]++;
                    }
                    r[1]++;
                    Go.yield();
                }
                return r;
            });
            assertEquals(0, foundLocked[0], "observations: " + foundLocked[1]);
            assertTrue(foundLocked[1] > 100, "the two goroutines interleaved: " + foundLocked[1]);
        }
    }

    @Test
    @Timeout(10)
    void mutexUnlockFromAPlainThreadWakesAWaiter() {
        Mutex mu = new Mutex();
        assertTrue(mu.tryLock(), "tryLock outside a goroutine");
        int got = rt.run(() -> {
            Scheduler s = Carrier.current().scheduler();
            s.addWaker(1); // the plain thread below will wake us
            Thread.ofPlatform().start(() -> {
                while (mu.state() >>> Mutex.WAITER_SHIFT == 0) {
                    Thread.onSpinWait();
                }
                mu.unlock(); // readies the parked goroutine through its sudog's scheduler
                s.addWaker(-1);
            });
            mu.lock();
            mu.unlock();
            return 1;
        });
        assertEquals(1, got);
        assertEquals(0, mu.state(), "unlocked, no waiters: " + mu);
    }

    @Test
    @Timeout(10)
    void mutexBadUnlockAndTryLock() {
        rt.run(() -> {
            Mutex mu = new Mutex();
            IllegalStateException e = assertThrows(IllegalStateException.class, mu::unlock);
            assertEquals("sync: unlock of unlocked mutex", e.getMessage());
            assertEquals(0, mu.state(), "state untouched");
            assertTrue(mu.tryLock());
            assertFalse(mu.tryLock());
            mu.unlock();
            assertTrue(mu.tryLock());
            mu.unlock();
        });
        assertThrows(IllegalStateException.class, () -> new Mutex().lock(), "outside a goroutine");
    }

    @Test
    @Timeout(15)
    void starvationModeHandsTheLockToTheWaiter() {
        // One P makes the interleaving deterministic: the woken waiter runs only when we yield.
        // No time slice (one hour): sysmon would otherwise preempt this goroutine when its thread
        // is descheduled past 10 ms on a loaded machine, and a yield at unlock's checkpoint lets
        // the waiter take the free lock in normal mode, before any starvation.
        FairnessPolicy noSlice = FairnessPolicy.of("no-slice", 61, true, true, 3_600_000_000_000L, 128);
        try (GoRuntime rt1 =
                GoRuntime.builder().procs(1).fairnessPolicy(noSlice).build()) {
            starvation(rt1);
        }
    }

    private static void starvation(GoRuntime rt) {
        rt.run(() -> {
            Mutex mu = new Mutex();
            AtomicBoolean waiterGotIt = new AtomicBoolean();
            AtomicBoolean sawStarving = new AtomicBoolean();
            Chan<Boolean> done = Chan.make(1);
            mu.lock();
            Go.go(() -> {
                mu.lock(); // waits well over 1 ms below
                waiterGotIt.set(true);
                mu.unlock();
                done.send(true);
            });
            while ((mu.state() >>> Mutex.WAITER_SHIFT) == 0) {
                Go.yield();
            }
            long until = System.nanoTime() + 3 * Mutex.STARVATION_THRESHOLD_NS;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            // A greedy goroutine that unlocks and relocks at once: in normal mode it keeps
            // barging in; once the waiter has starved the mutex hands the lock to it.
            long deadline = System.nanoTime() + 5_000_000_000L;
            int relocks = 0;
            while (!waiterGotIt.get() && System.nanoTime() < deadline) {
                if ((mu.state() & Mutex.STARVING) != 0) {
                    sawStarving.set(true); // the woken waiter lost to us and switched modes
                }
                mu.unlock(); // normal mode: wakes the waiter but keeps running
                mu.lock(); // barges in before the woken waiter runs
                relocks++;
                Go.yield(); // let the waiter run while we hold the lock: it finds it taken
            }
            mu.unlock();
            done.recv();
            assertTrue(waiterGotIt.get(), "starved waiter never got the mutex after " + relocks + " relocks");
            assertTrue(sawStarving.get(), "no starvation mode seen, relocks=" + relocks);
            assertTrue(relocks < 100, "hand-off took " + relocks + " relocks");
            assertEquals(0, mu.state() & (Mutex.STARVING | Mutex.LOCKED), mu.toString());
        });
    }

    @Test
    @Timeout(15)
    void rwMutexReadersShareWritersExclude() {
        rt.run(() -> {
            RWMutex rw = new RWMutex();
            AtomicInteger readers = new AtomicInteger();
            AtomicInteger writers = new AtomicInteger();
            AtomicInteger maxReaders = new AtomicInteger();
            AtomicBoolean bad = new AtomicBoolean();
            WaitGroup wg = new WaitGroup();
            for (int g = 0; g < 6; g++) {
                boolean writer = g < 2;
                wg.add(1);
                Go.go(() -> {
                    for (int i = 0; i < 2000; i++) {
                        if (writer) {
                            rw.lock();
                            if (writers.incrementAndGet() != 1 || readers.get() != 0) {
                                bad.set(true);
                            }
                            Go.yield();
                            writers.decrementAndGet();
                            rw.unlock();
                        } else {
                            rw.rLock();
                            int r = readers.incrementAndGet();
                            maxReaders.accumulateAndGet(r, Math::max);
                            if (writers.get() != 0) {
                                bad.set(true);
                            }
                            Go.yield();
                            readers.decrementAndGet();
                            rw.rUnlock();
                        }
                    }
                    wg.done();
                });
            }
            wg.await();
            assertFalse(bad.get(), "writer overlapped a reader or a writer");
            assertTrue(maxReaders.get() > 1, "readers never shared the lock");
        });
    }

    @Test
    @Timeout(10)
    void rwMutexWriterPreferenceAndBadUnlocks() {
        rt.run(() -> {
            RWMutex rw = new RWMutex();
            assertThrows(IllegalStateException.class, rw::rUnlock);
            assertThrows(IllegalStateException.class, rw::unlock);
            rw.rLock();
            Chan<Boolean> writerIn = Chan.make(1);
            Go.go(() -> {
                rw.lock();
                writerIn.send(true);
                rw.unlock();
            });
            // Once the writer is pending, new readers are refused.
            while (rw.tryRLock()) {
                rw.rUnlock();
                Go.yield();
            }
            assertFalse(rw.tryLock());
            assertEquals(null, writerIn.tryRecv(), "writer entered while a reader holds the lock");
            rw.rUnlock();
            assertTrue(writerIn.recv());
            rw.lock();
            assertFalse(rw.tryRLock());
            rw.unlock();
            assertTrue(rw.tryRLock());
            rw.rUnlock();
            assertTrue(rw.tryLock());
            rw.unlock();
        });
    }

    @Test
    @Timeout(10)
    void onceRunsOnceAndOthersWait() {
        rt.run(() -> {
            Once once = new Once();
            AtomicInteger runs = new AtomicInteger();
            AtomicBoolean sawUnfinished = new AtomicBoolean();
            AtomicBoolean finished = new AtomicBoolean();
            WaitGroup wg = new WaitGroup();
            for (int g = 0; g < 10; g++) {
                wg.add(1);
                Go.go(() -> {
                    once.run(() -> {
                        runs.incrementAndGet();
                        for (int i = 0; i < 20; i++) {
                            Go.yield();
                        }
                        finished.set(true);
                    });
                    if (!finished.get()) {
                        sawUnfinished.set(true);
                    }
                    wg.done();
                });
            }
            wg.await();
            assertEquals(1, runs.get());
            assertFalse(sawUnfinished.get(), "a caller returned before the function finished");
            assertTrue(once.done());
            Once throwing = new Once();
            assertThrows(
                    IllegalArgumentException.class,
                    () -> throwing.run(() -> {
                        throw new IllegalArgumentException();
                    }));
            throwing.run(runs::incrementAndGet); // counts as done, as Go
            assertEquals(1, runs.get());
        });
    }
}
