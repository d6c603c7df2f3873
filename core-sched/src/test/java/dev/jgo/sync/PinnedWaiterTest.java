package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import jdk.internal.vm.Continuation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goroutines that wait while pinned (a critical section on their stack: M "Pinned goroutines"
 * blocks the carrier instead of yielding) or inside Go.blocking: woken by channel close and Mutex
 * unlock as any waiter, and abandoned cleanly by close() (an IllegalStateException naming the
 * runtime, the channel, semaphore and select state withdrawn and every lock released).
 */
@Timeout(90)
class PinnedWaiterTest {

    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    /** What a pinned goroutine ended with: "returned", or the throwable. */
    private static final Object RETURNED = "returned";

    /** {@code op} inside Go.blocking (M "Parking inside Go.blocking"), recording how it ended. */
    private static Runnable inBlocking(Runnable op, Queue<Object> ends) {
        return () -> {
            try {
                Go.blocking(() -> {
                    op.run();
                    return null;
                });
                ends.add(RETURNED);
            } catch (Throwable t) {
                ends.add(t);
            }
        };
    }

    private static Runnable pinned(Runnable op, Queue<Object> ends) {
        return () -> {
            Continuation.pin();
            try {
                op.run();
                ends.add(RETURNED);
            } catch (Throwable t) {
                ends.add(t);
            } finally {
                Continuation.unpin();
            }
        };
    }

    private static void awaitState(Goroutine g, Goroutine.State s) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (g.state() != s) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(g + " never reached " + s + ": " + g.state());
            }
            Thread.sleep(1);
        }
    }

    /** Waits, yielding, until {@code g} is WAITING. Concurrency: a goroutine. */
    private static void awaitWaiting(Goroutine g) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (g.state() != Goroutine.State.WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(g + " never parked: " + g.state());
            }
            Go.yield();
        }
    }

    private static <T> T onPlainThread(java.util.concurrent.Callable<T> call) throws Exception {
        FutureTask<T> f = new FutureTask<>(call);
        Thread t = new Thread(f, "plain");
        t.setDaemon(true);
        t.start();
        return f.get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void closeAbandonsWaitersThatCannotLeaveTheirCarrierCleanly(boolean insideBlocking) throws Exception {
        for (int rep = 0; rep < 3 * STRESS; rep++) {
            Chan<Integer> recvOn = Chan.make(0);
            Chan<Integer> sendOn = Chan.make(0);
            Chan<Integer> selA = Chan.make(0);
            Chan<Integer> selB = Chan.make(1);
            Mutex m = new Mutex();
            WaitGroup wg = new WaitGroup();
            Sema sema = new Sema();
            RWMutex rw = new RWMutex();
            Queue<Object> ends = new ConcurrentLinkedQueue<>();
            List<Runnable> ops = List.of(
                    recvOn::recv,
                    () -> sendOn.send(1),
                    () -> Select.create()
                            .recv(selA, v -> {})
                            .recv(selB, v -> {})
                            .select(),
                    m::lock,
                    wg::await,
                    () -> sema.acquire(false, WaitReason.SEMACQUIRE),
                    rw::rLock);
            String name = "pinclose" + rep;
            GoRuntime rt = GoRuntime.builder().name(name).procs(2).build();
            try {
                rt.run(() -> {
                    m.lock();
                    wg.add(1);
                    rw.lock();
                });
                List<Goroutine> gs = new ArrayList<>();
                for (Runnable op : ops) {
                    gs.add(rt.go(insideBlocking ? inBlocking(op, ends) : pinned(op, ends)));
                }
                for (Goroutine g : gs) {
                    awaitState(g, Goroutine.State.WAITING);
                }
            } finally {
                rt.close();
            }
            if (!insideBlocking) {
                // A pinned goroutine goes on on its carrier after the park threw. One inside
                // Go.blocking may instead be abandoned where the blocking call returns (exitsyscall
                // finds no P: it never runs again, as any goroutine of a closed runtime).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ends.size() < ops.size() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertEquals(ops.size(), ends.size(), "every abandoned goroutine ended: " + ends);
            }
            for (Object e : ends) {
                assertTrue(
                        e instanceof IllegalStateException ise
                                && ise.getMessage().contains(name),
                        "ended with an IllegalStateException naming the runtime, not " + e);
            }
            // Nothing of the abandoned waiters is left in the objects, and their locks are free.
            for (Chan<?> c : List.of(recvOn, sendOn, selA, selB)) {
                assertFalse(c.lock.isHeld(), c + " lock left held");
                c.lock.lock();
                try {
                    assertTrue(c.recvq.isEmpty() && c.sendq.isEmpty(), c + " keeps a waiter");
                } finally {
                    c.lock.unlock();
                }
            }
            assertNull(onPlainThread(recvOn::tryRecv));
            assertFalse(onPlainThread(() -> sendOn.trySend(2)));
            assertTrue(onPlainThread(() -> selB.trySend(3)));
            assertEquals(3, onPlainThread(selB::tryRecv).value());
            onPlainThread(() -> {
                m.unlock();
                return null;
            });
            assertTrue(onPlainThread(m::tryLock));
        }
    }

    @Test
    void closeAndUnlockWakePinnedWaiters() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Queue<Object> ends = new ConcurrentLinkedQueue<>();
            rt.run(() -> {
                for (int i = 0; i < 200 * STRESS; i++) {
                    Chan<Integer> c = Chan.make(0);
                    Goroutine g = Go.go(pinned(
                            () -> {
                                if (c.recv() != null) {
                                    throw new AssertionError("value from a closed channel");
                                }
                            },
                            ends));
                    awaitWaiting(g);
                    c.close();
                    Mutex m = new Mutex();
                    m.lock();
                    Goroutine h = Go.go(pinned(
                            () -> {
                                m.lock();
                                m.unlock();
                            },
                            ends));
                    awaitWaiting(h);
                    m.unlock();
                    WaitGroup wg = new WaitGroup();
                    wg.add(1);
                    Goroutine w = Go.go(pinned(wg::await, ends));
                    awaitWaiting(w);
                    wg.done();
                    for (Goroutine x : List.of(g, h, w)) {
                        while (x.state() != Goroutine.State.DEAD) {
                            Go.yield();
                        }
                    }
                }
            });
            assertEquals(3 * 200 * STRESS, ends.size());
            for (Object e : ends) {
                assertEquals(RETURNED, e);
            }
        }
    }
}
