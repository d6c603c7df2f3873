package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.Scheduler;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ports of Go's {@code sync/cond_test.go}. */
@Timeout(30)
class CondTest {

    private GoRuntime rt;

    @BeforeEach
    void start() {
        rt = GoRuntime.builder().procs(2).build();
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** Go's TestCondSignal. */
    @Test
    void signalWakesOneAtATime() {
        rt.run(() -> {
            Mutex m = new Mutex();
            Cond c = new Cond(m);
            int n = 2;
            Chan<Boolean> running = Chan.make(n);
            Chan<Boolean> awake = Chan.make(n);
            for (int i = 0; i < n; i++) {
                Go.go(() -> {
                    m.lock();
                    running.send(true);
                    c.await();
                    awake.send(true);
                    m.unlock();
                });
            }
            for (int i = 0; i < n; i++) {
                running.recv(); // wait for everyone to run
            }
            for (; n > 0; n--) {
                assertFalse(awake.tryRecv() != null, "goroutine not asleep");
                m.lock();
                c.signal();
                m.unlock();
                awake.recv(); // will deadlock if no goroutine wakes up
                assertFalse(awake.tryRecv() != null, "too many goroutines awake");
            }
            c.signal();
        });
    }

    /** Go's TestCondSignalGenerations: signal wakes waiters in the order they started waiting. */
    @Test
    void signalWakesTheLongestWaiter() {
        rt.run(() -> {
            Mutex m = new Mutex();
            Cond c = new Cond(m);
            int n = 100;
            Chan<Boolean> running = Chan.make(n);
            Chan<Integer> awake = Chan.make(n);
            for (int i = 0; i < n; i++) {
                int id = i;
                Go.go(() -> {
                    m.lock();
                    running.send(true);
                    c.await();
                    awake.send(id);
                    m.unlock();
                });
                running.recv();
            }
            for (int i = 0; i < n; i++) {
                c.signal();
                assertEquals(i, awake.recv(), "unexpected goroutine awoke");
            }
        });
    }

    /** Go's TestCondBroadcast. */
    @Test
    void broadcastWakesEveryWaiter() {
        rt.run(() -> {
            Mutex m = new Mutex();
            Cond c = new Cond(m);
            int n = 200;
            Chan<Integer> running = Chan.make(n);
            Chan<Boolean> awake = Chan.make(n);
            AtomicInteger exit = new AtomicInteger();
            for (int i = 0; i < n; i++) {
                int g = i;
                Go.go(() -> {
                    m.lock();
                    while (exit.get() == 0) {
                        running.send(g);
                        c.await();
                        awake.send(true);
                    }
                    m.unlock();
                });
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    running.recv(); // will deadlock unless n are running
                }
                if (i == n - 1) {
                    m.lock();
                    exit.set(1);
                    m.unlock();
                }
                assertFalse(awake.tryRecv() != null, "goroutine not asleep");
                m.lock();
                c.broadcast();
                m.unlock();
                boolean[] seen = new boolean[n];
                for (int j = 0; j < n; j++) {
                    awake.recv(); // will deadlock unless n are awake
                }
                assertFalse(awake.tryRecv() != null, "too many goroutines awake");
                assertEquals(n, seen.length);
            }
            c.broadcast();
        });
    }

    /** Go's TestRace: a signal sent between the unlock and the park is not lost. */
    @Test
    void noLostWakeUp() {
        rt.run(() -> {
            for (int round = 0; round < 200; round++) {
                Mutex m = new Mutex();
                Cond c = new Cond(m);
                Chan<Boolean> done = Chan.make(3);
                AtomicInteger x = new AtomicInteger();
                Go.go(() -> {
                    m.lock();
                    x.set(1);
                    c.await();
                    assertEquals(2, x.get(), "want 2");
                    x.set(3);
                    c.signal();
                    m.unlock();
                    done.send(true);
                });
                Go.go(() -> {
                    m.lock();
                    for (; ; ) {
                        if (x.get() == 1) {
                            x.set(2);
                            c.signal();
                            break;
                        }
                        m.unlock();
                        Go.yield();
                        m.lock();
                    }
                    m.unlock();
                    done.send(true);
                });
                Go.go(() -> {
                    m.lock();
                    for (; ; ) {
                        if (x.get() == 2) {
                            c.await();
                            assertEquals(3, x.get(), "want 3");
                            break;
                        }
                        if (x.get() == 3) {
                            break;
                        }
                        m.unlock();
                        Go.yield();
                        m.lock();
                    }
                    m.unlock();
                    done.send(true);
                });
                done.recv();
                done.recv();
                done.recv();
            }
        });
    }

    /**
     * Go's TestCondSignalStealing: a signal sent while a waiter is parked wakes it even if a new
     * waiter arrives right after.
     */
    @Test
    void signalIsNotStolenByALaterWaiter() {
        rt.run(() -> {
            for (int iters = 0; iters < 300; iters++) {
                Mutex m = new Mutex();
                Cond c = new Cond(m);
                Chan<Boolean> ch = Chan.make(0);
                Go.go(() -> {
                    m.lock();
                    ch.send(true);
                    c.await();
                    m.unlock();
                    ch.send(true);
                });
                ch.recv();
                m.lock();
                m.unlock();
                // The goroutine is parked in await (or about to be, holding a ticket).
                boolean[] done = {false};
                Go.go(() -> {
                    m.lock();
                    while (!done[0]) {
                        c.await();
                    }
                    m.unlock();
                });
                c.signal();
                ch.recv(); // the first waiter got the signal
                m.lock();
                done[0] = true;
                m.unlock();
                c.broadcast();
            }
        });
    }

    @Test
    void signalWithoutWaitersIsNotRemembered() {
        assertThrows(
                DeadlockException.class,
                () -> rt.run(() -> {
                    Mutex m = new Mutex();
                    Cond c = new Cond(m);
                    c.signal();
                    c.broadcast();
                    m.lock();
                    c.await(); // nobody will signal: a signal before the wait does not count
                }));
    }

    @Test
    void signalFromAPlainThread() {
        Mutex m = new Mutex();
        Cond c = new Cond(m);
        int woke = rt.run(() -> {
            Scheduler s = Carrier.current().scheduler();
            s.addWaker(1); // the plain thread below will wake us
            Thread.ofPlatform().start(() -> {
                while (c.queued() == 0) {
                    Thread.onSpinWait();
                }
                c.signal();
                s.addWaker(-1);
            });
            m.lock();
            c.await();
            m.unlock();
            return 1;
        });
        assertEquals(1, woke);
        assertEquals(0, c.queued());
    }

    /** Readers wait on a Cond over RWMutex.rLocker(); a writer's broadcast wakes them all. */
    @Test
    void condOverReadLocks() {
        rt.run(() -> {
            RWMutex rw = new RWMutex();
            Locker r = rw.rLocker();
            Cond c = new Cond(r);
            assertTrue(c.locker() == r);
            AtomicInteger flag = new AtomicInteger();
            WaitGroup wg = new WaitGroup();
            int n = 8;
            wg.add(n);
            for (int i = 0; i < n; i++) {
                Go.go(() -> {
                    r.lock();
                    while (flag.get() == 0) {
                        c.await();
                    }
                    r.unlock();
                    wg.done();
                });
            }
            while (c.queued() < n) {
                Go.yield();
            }
            Locker w = rw; // the RWMutex as a Locker is its write lock
            w.lock(); // possible only because every reader released its read lock in await
            flag.set(1);
            w.unlock();
            c.broadcast();
            wg.await();
            assertTrue(rw.tryLock(), "all read locks released");
            rw.unlock();
        });
    }

    @Test
    void nullLockerRejected() {
        assertThrows(NullPointerException.class, () -> new Cond(null));
        Mutex m = new Mutex();
        Locker l = m;
        assertTrue(new Cond(l).locker() == l);
    }

    @Test
    void ticketsCompareAcrossWrapAround() {
        assertTrue(Cond.less(Integer.MAX_VALUE, Integer.MIN_VALUE));
        assertFalse(Cond.less(Integer.MIN_VALUE, Integer.MAX_VALUE));
        assertTrue(Cond.less(1, 2));
        assertFalse(Cond.less(2, 2));
    }
}
