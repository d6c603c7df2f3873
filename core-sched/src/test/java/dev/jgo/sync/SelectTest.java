package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SelectTest {

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
    void defaultCaseWhenNothingReady() {
        rt.run(() -> {
            Chan<Integer> a = Chan.make(0);
            Chan<Integer> b = Chan.make(1);
            AtomicInteger hit = new AtomicInteger();
            int casi = Select.create()
                    .recv(a, v -> hit.set(1))
                    .send(a, 5, () -> hit.set(2))
                    .otherwise(() -> hit.set(3))
                    .select();
            assertEquals(-1, casi);
            assertEquals(3, hit.get());
            // Buffer room: the send case proceeds.
            casi = Select.create()
                    .send(b, 9, () -> hit.set(4))
                    .otherwise(() -> hit.set(5))
                    .select();
            assertEquals(0, casi);
            assertEquals(4, hit.get());
            assertEquals(9, b.recv());
        });
    }

    @Test
    @Timeout(15)
    void fairnessAmongReadyCases() {
        // Go's TestSelectFairness: with 4 ready cases, each should be chosen about 1/4 of the time.
        int trials = 8000;
        int[] counts = rt.run(() -> {
            int k = 4;
            @SuppressWarnings("unchecked")
            Chan<Integer>[] cs = new Chan[k];
            for (int i = 0; i < k; i++) {
                cs[i] = Chan.make(trials);
                for (int j = 0; j < trials; j++) {
                    cs[i].send(j);
                }
            }
            int[] cnt = new int[k];
            Select s = Select.create();
            for (int i = 0; i < k; i++) {
                int idx = i;
                s.recv(cs[i], v -> cnt[idx]++);
            }
            for (int t = 0; t < trials; t++) {
                s.select();
            }
            return cnt;
        });
        // Expected 2000 each, sd ~39: a bound of 10 sd fails only for a broken order.
        for (int c : counts) {
            assertTrue(Math.abs(c - trials / 4) < 400, java.util.Arrays.toString(counts));
        }
    }

    @Test
    @Timeout(10)
    void blocksUntilOneCaseAndWithdrawsTheOthers() {
        rt.run(() -> {
            Chan<Integer> a = Chan.make(0);
            Chan<String> b = Chan.make(0);
            AtomicReference<Object> got = new AtomicReference<>();
            Chan<Boolean> done = Chan.make(0);
            Go.go(() -> {
                Select.create().recv(a, got::set).recv(b, got::set).select();
                done.send(true);
            });
            while (ChanTest.waiters(b) == 0) {
                Go.yield();
            }
            b.send("hello");
            done.recv();
            assertEquals("hello", got.get());
            assertEquals(0, ChanTest.waiters(a), "sudog withdrawn from the losing channel");
            assertEquals(0, ChanTest.waiters(b));
            assertFalse(a.trySend(1), "no stale receiver left on a");
        });
    }

    @Test
    @Timeout(10)
    void sendAndRecvOnSameChannel() {
        // Two goroutines each select {send c; recv c} on the same unbuffered channel: they must pair.
        for (int round = 0; round < 200; round++) {
            rt.run(() -> {
                Chan<Integer> c = Chan.make(0);
                AtomicInteger sends = new AtomicInteger();
                AtomicInteger recvs = new AtomicInteger();
                WaitGroup wg = new WaitGroup();
                for (int g = 0; g < 2; g++) {
                    int id = g;
                    wg.add(1);
                    Go.go(() -> {
                        Select.create()
                                .send(c, id, sends::incrementAndGet)
                                .recv(c, v -> recvs.incrementAndGet())
                                .select();
                        wg.done();
                    });
                }
                wg.await();
                assertEquals(1, sends.get());
                assertEquals(1, recvs.get());
            });
        }
    }

    @Test
    @Timeout(10)
    void closedChannelReadyAtOnce() {
        rt.run(() -> {
            Chan<Integer> open = Chan.make(0);
            Chan<Integer> closed = Chan.make(0);
            closed.close();
            AtomicReference<Received<Integer>> r = new AtomicReference<>();
            assertEquals(
                    1,
                    Select.create().recv(open, v -> {}).recvOk(closed, r::set).select());
            assertFalse(r.get().ok());
            assertThrows(
                    ClosedChannelException.class,
                    () -> Select.create()
                            .send(closed, 1, () -> {})
                            .otherwise(() -> {})
                            .select());
            // Close while a select waits: the receive case fires with ok=false.
            Chan<Integer> c = Chan.make(0);
            Go.go(() -> {
                while (ChanTest.waiters(c) == 0) {
                    Go.yield();
                }
                c.close();
            });
            AtomicReference<Received<Integer>> r2 = new AtomicReference<>();
            Select.create().recvOk(c, r2::set).select();
            assertEquals(new Received<Integer>(null, false), r2.get());
            // Close while a select waits to send: it throws.
            Chan<Integer> d = Chan.make(0);
            Go.go(() -> {
                while (ChanTest.waiters(d) == 0) {
                    Go.yield();
                }
                d.close();
            });
            assertThrows(
                    ClosedChannelException.class,
                    () -> Select.create().send(d, 1, () -> {}).select());
        });
    }

    @Test
    @Timeout(10)
    void nilChannelCaseNeverReady() {
        rt.run(() -> {
            Chan<Integer> c = Chan.make(1);
            c.send(3);
            AtomicInteger v = new AtomicInteger();
            assertEquals(
                    1,
                    Select.create().recv(null, x -> v.set(-1)).recv(c, v::set).select());
            assertEquals(3, v.get());
            assertEquals(
                    -1,
                    Select.create().send(null, 1, () -> {}).otherwise(() -> {}).select());
        });
    }

    @Test
    @Timeout(10)
    void emptySelectBlocksForeverAndIsADeadlock() {
        assertThrows(
                DeadlockException.class,
                () -> rt.run(() -> {
                    Select.create().select();
                }));
        assertThrows(
                DeadlockException.class,
                () -> rt.run(() -> {
                    Select.create().recv(null, v -> {}).select();
                }));
        assertNull(rt.run(() -> null), "runtime still usable");
    }

    @Test
    @Timeout(10)
    void opposingLockOrdersDoNotDeadlock() {
        rt.run(() -> {
            Chan<Integer> a = Chan.make(0);
            Chan<Integer> b = Chan.make(0);
            int n = 2000;
            WaitGroup wg = new WaitGroup();
            wg.add(2);
            AtomicInteger got = new AtomicInteger();
            Go.go(() -> {
                for (int i = 0; i < n; i++) {
                    Select.create().send(a, i, () -> {}).send(b, i, () -> {}).select();
                }
                wg.done();
            });
            Go.go(() -> {
                for (int i = 0; i < n; i++) {
                    Select.create()
                            .recv(b, v -> got.incrementAndGet())
                            .recv(a, v -> got.incrementAndGet())
                            .select();
                }
                wg.done();
            });
            wg.await();
            assertEquals(n, got.get());
        });
    }

    @Test
    @Timeout(10)
    void timeoutStyleSelect() {
        rt.run(() -> {
            Chan<Integer> data = Chan.make(0);
            Chan<Boolean> timeout = Chan.make(1);
            Go.go(() -> timeout.send(true));
            AtomicInteger which = new AtomicInteger();
            Select.create()
                    .recv(data, v -> which.set(1))
                    .recv(timeout, v -> which.set(2))
                    .select();
            assertEquals(2, which.get());
        });
    }
}
