package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ports of {@code golang.org/x/sync/semaphore/semaphore_test.go}. */
@Timeout(30)
class SemaphoreTest {

    private GoRuntime rt;

    @BeforeEach
    void start() {
        rt = GoRuntime.builder().procs(2).build();
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** Go's TestWeighted: random weights, never more than the size held at once. */
    @Test
    void weightedNeverOverCommits() {
        rt.run(() -> {
            int n = 4 * 2;
            long max = n;
            Semaphore sem = new Semaphore(max);
            AtomicLong inUse = new AtomicLong();
            AtomicBoolean over = new AtomicBoolean();
            WaitGroup wg = new WaitGroup();
            wg.add(n);
            for (int i = 0; i < n; i++) {
                long seed = i;
                Go.go(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    for (int j = 0; j < 2000; j++) {
                        long w = 1 + rnd.nextLong(max);
                        sem.acquire(w);
                        if (inUse.addAndGet(w) > max) {
                            over.set(true);
                        }
                        Go.yield();
                        inUse.addAndGet(-w);
                        sem.release(w);
                    }
                    wg.done();
                });
            }
            wg.await();
            assertFalse(over.get(), "more units held than the semaphore has");
            assertEquals(0, sem.held());
        });
    }

    /** Go's TestWeightedPanic: releasing more than held fails and leaves the state unchanged. */
    @Test
    void releaseMoreThanHeld() {
        rt.run(() -> {
            Semaphore s = new Semaphore(1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.release(1));
            assertEquals("semaphore: released more than held", e.getMessage());
            assertTrue(s.tryAcquire(1));
            assertThrows(IllegalStateException.class, () -> s.release(2));
            s.release(1);
            assertEquals(0, s.held());
        });
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
    }

    /** Go's TestWeightedTryAcquire. */
    @Test
    void tryAcquire() {
        rt.run(() -> {
            Semaphore s = new Semaphore(2);
            boolean[] tries = new boolean[4];
            s.acquire(1);
            tries[0] = s.tryAcquire(1);
            tries[1] = s.tryAcquire(1);
            s.release(2);
            tries[2] = s.tryAcquire(1);
            s.acquire(1);
            tries[3] = s.tryAcquire(1);
            assertTrue(tries[0]);
            assertFalse(tries[1]);
            assertTrue(tries[2]);
            assertFalse(tries[3]);
        });
    }

    /** tryAcquire and release work from a plain thread. */
    @Test
    void tryAcquireAndReleaseFromAPlainThread() {
        Semaphore s = new Semaphore(3);
        assertTrue(s.tryAcquire(3));
        assertFalse(s.tryAcquire(1));
        s.release(3);
        assertEquals(0, s.held());
    }

    /**
     * Go's TestLargeAcquireDoesntStarve: a large request waiting behind a stream of small ones is
     * served; without FIFO the small ones would keep the units forever and this would time out.
     */
    @Test
    void largeAcquireIsNotStarved() {
        rt.run(() -> {
            int n = 4;
            Semaphore sem = new Semaphore(n);
            AtomicBoolean running = new AtomicBoolean(true);
            WaitGroup wg = new WaitGroup();
            wg.add(n);
            for (int i = n; i > 0; i--) {
                sem.acquire(1);
                Go.go(() -> {
                    try {
                        while (running.get()) {
                            Go.yield();
                            sem.release(1);
                            sem.acquire(1);
                        }
                    } finally {
                        sem.release(1);
                        wg.done();
                    }
                });
            }
            sem.acquire(n);
            running.set(false);
            sem.release(n);
            wg.await();
        });
    }

    /** FIFO: a waiter that does not fit blocks later ones that would. */
    @Test
    void waitersAreServedInOrder() {
        rt.run(() -> {
            Semaphore sem = new Semaphore(10);
            sem.acquire(10);
            Chan<Integer> got = Chan.make(2);
            Go.go(() -> {
                sem.acquire(5);
                got.send(5);
            });
            while (sem.waiters() < 1) {
                Go.yield();
            }
            Go.go(() -> {
                sem.acquire(1);
                got.send(1);
            });
            while (sem.waiters() < 2) {
                Go.yield();
            }
            assertFalse(sem.tryAcquire(1), "a queued waiter blocks tryAcquire");
            sem.release(4); // 4 free: the 5 waits, and so does the 1 behind it
            for (int i = 0; i < 10; i++) {
                Go.yield();
            }
            assertEquals(2, sem.waiters());
            assertEquals(6, sem.held());
            assertEquals(null, got.tryRecv());
            sem.release(6);
            assertEquals(6, got.recv() + got.recv());
            assertEquals(6, sem.held());
            assertEquals(0, sem.waiters());
        });
    }

    @Test
    void tooLargeRequestBlocksForever() {
        assertThrows(
                DeadlockException.class,
                () -> rt.run(() -> {
                    Semaphore sem = new Semaphore(1);
                    sem.acquire(2);
                }));
    }
}
