package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.WaitReason;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Channels, select and the sync types used inside {@link Go#blocking}: the goroutine holds no P
 * there, and an operation that must wait blocks its carrier thread (M "Parking inside
 * Go.blocking"). Each operation works, and the object works normally afterwards, from goroutines
 * and, where the type allows it, from plain threads.
 */
@Timeout(60)
class BlockingSectionSyncTest {

    private static final int STRESS = Integer.getInteger("jgo.stress", 1);
    private static final int ROUNDS = 100 * STRESS;

    /** Lets the other goroutines run a while, so the operation inside Go.blocking has to wait. */
    private static void yieldSome() {
        for (int i = 0; i < 3; i++) {
            Go.yield();
        }
    }

    private static <T> T blockingGet(Callable<T> call) {
        return Go.blocking(call);
    }

    private static void blockingRun(Runnable r) {
        Go.blocking(() -> {
            r.run();
            return null;
        });
    }

    /** Runs {@code call} on a new plain thread; a hang fails the test after 10 s. */
    private static <T> T onPlainThread(Callable<T> call) throws Exception {
        FutureTask<T> f = new FutureTask<>(call);
        Thread t = new Thread(f, "plain");
        t.setDaemon(true);
        t.start();
        try {
            return f.get(10, TimeUnit.SECONDS);
        } finally {
            t.interrupt();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void chanSendRecvAndCloseInsideBlocking(int procs) throws Exception {
        Chan<Integer> c = Chan.make(0);
        Chan<Integer> d = Chan.make(0);
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            rt.run(() -> {
                for (int i = 0; i < ROUNDS; i++) {
                    int v = i;
                    Go.go(() -> {
                        yieldSome();
                        c.send(v);
                    });
                    assertEquals(v, blockingGet(c::recv), "recv inside Go.blocking");
                    Chan<Integer> got = Chan.make(1);
                    Go.go(() -> {
                        yieldSome();
                        got.send(c.recv());
                    });
                    blockingRun(() -> c.send(v));
                    assertEquals(v, got.recv(), "send inside Go.blocking");
                }
                Chan<Boolean> ok = Chan.make(1);
                Go.go(() -> ok.send(d.recvOk().ok()));
                yieldSome();
                blockingRun(d::close);
                assertFalse(ok.recv(), "close inside Go.blocking wakes the receiver");
                assertNull(blockingGet(d::recv));
                assertThrows(ClosedChannelException.class, () -> blockingRun(() -> d.send(1)));
            });
            // Afterwards: plain threads and goroutines use the channels as before.
            assertFalse(onPlainThread(() -> c.trySend(1)));
            assertNull(onPlainThread(c::tryRecv));
            assertFalse(onPlainThread(() -> d.tryRecv().ok()));
            assertThrows(Exception.class, () -> onPlainThread(() -> d.trySend(1)));
            assertEquals(42, rt.run(() -> {
                Go.go(() -> c.send(42));
                return c.recv();
            }));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void selectInsideBlocking(int procs) throws Exception {
        Chan<Integer> a = Chan.make(0);
        Chan<Integer> b = Chan.make(0);
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            rt.run(() -> {
                AtomicInteger seen = new AtomicInteger(-1);
                Select recvs = Select.create().recv(a, seen::set).recv(b, seen::set);
                for (int i = 0; i < ROUNDS; i++) {
                    int v = i;
                    Chan<Integer> to = i % 2 == 0 ? a : b;
                    Go.go(() -> {
                        yieldSome();
                        to.send(v);
                    });
                    int casi = blockingGet(recvs::select);
                    assertEquals(i % 2, casi);
                    assertEquals(v, seen.get());
                    // a send case inside Go.blocking, and the same select normally afterwards
                    Chan<Integer> got = Chan.make(1);
                    Go.go(() -> {
                        yieldSome();
                        got.send(a.recv());
                    });
                    assertEquals(0, (int) blockingGet(
                            () -> Select.create().send(a, v, () -> {}).select()));
                    assertEquals(v, got.recv());
                    Go.go(() -> b.send(v + 1));
                    assertEquals(1, recvs.select());
                    assertEquals(v + 1, seen.get());
                }
            });
            assertNull(onPlainThread(a::tryRecv));
            assertFalse(onPlainThread(() -> b.trySend(1)));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void waitGroupInsideBlocking(int procs) {
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            rt.run(() -> {
                WaitGroup wg = new WaitGroup();
                for (int i = 0; i < ROUNDS; i++) {
                    wg.add(2);
                    for (int k = 0; k < 2; k++) {
                        Go.go(() -> {
                            yieldSome();
                            wg.done();
                        });
                    }
                    blockingRun(wg::await);
                    // the next normal await must not see the group as reused
                    wg.add(1);
                    Go.go(wg::done);
                    wg.await();
                }
            });
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void mutexAndOnceInsideBlocking(int procs) throws Exception {
        Mutex m = new Mutex();
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            rt.run(() -> {
                for (int i = 0; i < ROUNDS; i++) {
                    m.lock();
                    Go.go(() -> {
                        yieldSome();
                        m.unlock(); // a Mutex is not owned: another goroutine may unlock it
                    });
                    blockingRun(m::lock); // waits for that unlock
                    blockingRun(m::unlock);
                    Once once = new Once();
                    AtomicInteger runs = new AtomicInteger();
                    Chan<Integer> started = Chan.make(0);
                    Go.go(() -> once.run(() -> {
                        started.send(1);
                        yieldSome();
                        runs.incrementAndGet();
                    }));
                    started.recv();
                    blockingRun(() -> once.run(runs::incrementAndGet)); // waits for the first run
                    assertEquals(1, runs.get());
                }
            });
            assertTrue(onPlainThread(m::tryLock));
            onPlainThread(() -> {
                m.unlock();
                return null;
            });
            assertEquals(0, m.state(), "unlocked, no waiters");
            rt.run(() -> {
                m.lock();
                m.unlock();
            });
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void rwMutexInsideBlocking(int procs) throws Exception {
        RWMutex rw = new RWMutex();
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            rt.run(() -> {
                for (int i = 0; i < ROUNDS; i++) {
                    rw.lock();
                    Go.go(() -> {
                        yieldSome();
                        rw.unlock();
                    });
                    blockingRun(rw::rLock); // waits for the writer
                    Go.go(() -> {
                        yieldSome();
                        rw.rUnlock();
                    });
                    blockingRun(rw::lock); // waits for the reader
                    blockingRun(rw::unlock);
                }
            });
            assertTrue(onPlainThread(rw::tryLock));
            onPlainThread(() -> {
                rw.unlock();
                return null;
            });
            assertTrue(onPlainThread(rw::tryRLock));
            onPlainThread(() -> {
                rw.rUnlock();
                return null;
            });
            rt.run(() -> {
                rw.lock();
                rw.unlock();
                rw.rLock();
                rw.rUnlock();
            });
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void semaInsideBlockingAndHandOffFromBlocking(int procs) {
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            rt.run(() -> {
                Sema s = new Sema();
                for (int i = 0; i < ROUNDS; i++) {
                    Go.go(() -> {
                        yieldSome();
                        s.release(false);
                    });
                    blockingRun(() -> s.acquire(false, WaitReason.SEMACQUIRE));
                    // a hand-off release inside Go.blocking (Mutex starvation mode) cannot yield
                    Chan<Integer> done = Chan.make(1);
                    Go.go(() -> {
                        s.acquire(false, WaitReason.SEMACQUIRE);
                        done.send(1);
                    });
                    yieldSome();
                    blockingRun(() -> s.release(true));
                    done.recv();
                }
                assertFalse(s.cansemacquire(), "every unit was taken");
            });
        }
    }

    /**
     * A carrier waiting inside Go.blocking with its interrupt flag set (a blocking call that
     * caught InterruptedException and restored it) sleeps rather than spins, and gets the flag
     * back.
     */
    @Test
    void interruptedCarrierWaitsWithoutSpinningAndKeepsTheFlag() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            long[] r = rt.run(() -> {
                Chan<Integer> c = Chan.make(0);
                Go.go(() -> {
                    for (long until = System.nanoTime() + 300_000_000L; System.nanoTime() < until; ) {
                        Go.yield();
                    }
                    c.send(7);
                });
                return blockingGet(() -> {
                    java.lang.management.ThreadMXBean tm = java.lang.management.ManagementFactory.getThreadMXBean();
                    Thread.currentThread().interrupt();
                    long cpu0 = tm.getCurrentThreadCpuTime();
                    int v = c.recv();
                    long cpu = tm.getCurrentThreadCpuTime() - cpu0;
                    boolean flag = Thread.interrupted();
                    return new long[] {v, cpu, flag ? 1 : 0};
                });
            });
            assertEquals(7, r[0]);
            assertTrue(r[1] < 50_000_000L, "the waiting carrier used " + r[1] / 1_000_000 + " ms of CPU in 300 ms");
            assertEquals(1, r[2], "interrupt flag given back");
        }
    }

    @Test
    void goroutineWaitingInsideBlockingIsCountedByDeadlockDetection() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            assertThrows(
                    DeadlockException.class,
                    () -> rt.run(() -> blockingGet(() -> Chan.make(0).recv())));
            assertEquals(3, rt.run(() -> 3));
        }
    }
}
