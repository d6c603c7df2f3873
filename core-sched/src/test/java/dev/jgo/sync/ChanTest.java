package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Channel semantics, following Go's own channel tests (chan_test.go). */
@Timeout(30)
class ChanTest {

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
    void unbufferedHandOff() {
        long v = rt.run(() -> {
            Chan<Long> c = Chan.make(0);
            Go.go(() -> c.send(42L));
            return c.recv();
        });
        assertEquals(42L, v);
    }

    @Test
    @Timeout(10)
    void unbufferedSendBlocksUntilReceived() {
        rt.run(() -> {
            Chan<Integer> c = Chan.make(0);
            AtomicInteger sent = new AtomicInteger();
            Chan<Boolean> done = Chan.make(0);
            Go.go(() -> {
                c.send(1);
                sent.set(1);
                done.send(true);
            });
            for (int i = 0; i < 100; i++) {
                Go.yield();
            }
            assertEquals(0, sent.get(), "send completed without a receiver");
            assertEquals(0, c.len());
            assertEquals(1, c.recv());
            done.recv();
            assertEquals(1, sent.get());
        });
    }

    @Test
    @Timeout(10)
    void bufferedFifoLenCap() {
        rt.run(() -> {
            Chan<Integer> c = Chan.make(3);
            assertEquals(3, c.cap());
            c.send(1);
            c.send(2);
            c.send(3);
            assertEquals(3, c.len());
            assertFalse(c.trySend(4), "full buffer");
            assertEquals(1, c.recv());
            assertTrue(c.trySend(4));
            assertEquals(2, c.recv());
            assertEquals(3, c.recv());
            assertEquals(4, c.recv());
            assertEquals(0, c.len());
            assertNull(c.tryRecv(), "empty open channel: default case");
        });
    }

    @Test
    @Timeout(10)
    void fifoAmongWaitingSenders() {
        // Senders queue in order; the receiver gets their values in that order, and a full buffer
        // keeps FIFO through the direct buffer+sender hand-off.
        for (int cap : new int[] {0, 1, 4}) {
            List<Integer> got = rt.run(() -> {
                Chan<Integer> c = Chan.make(cap);
                int n = 20;
                for (int i = 0; i < n; i++) {
                    int v = i;
                    Go.go(() -> c.send(v));
                    // Let sender i block (or buffer) before sender i+1 starts.
                    while (pending(c) < i + 1) {
                        Go.yield();
                    }
                }
                List<Integer> out = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    out.add(c.recv());
                }
                return out;
            });
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i, got.get(i), "cap " + cap + ": " + got);
            }
        }
    }

    /** Buffered values plus waiting senders. */
    static int pending(Chan<?> c) {
        c.lock.lock();
        try {
            return c.qcount() + c.sendq.length();
        } finally {
            c.lock.unlock();
        }
    }

    /** Waiting receivers plus waiting senders. */
    static int waiters(Chan<?> c) {
        c.lock.lock();
        try {
            return c.recvq.length() + c.sendq.length();
        } finally {
            c.lock.unlock();
        }
    }

    @Test
    @Timeout(10)
    void closeWakesReceiversAndDrainsBuffer() {
        rt.run(() -> {
            Chan<Integer> c = Chan.make(2);
            c.send(1);
            c.send(2);
            c.close();
            assertEquals(new Received<>(1, true), c.recvOk());
            assertEquals(2, c.recv());
            assertEquals(new Received<Integer>(null, false), c.recvOk());
            assertNull(c.recv());
            assertEquals(new Received<Integer>(null, false), c.tryRecv());

            Chan<Integer> u = Chan.make(0);
            WaitGroup wg = new WaitGroup();
            AtomicInteger closedSeen = new AtomicInteger();
            for (int i = 0; i < 5; i++) {
                wg.add(1);
                Go.go(() -> {
                    if (!u.recvOk().ok()) {
                        closedSeen.incrementAndGet();
                    }
                    wg.done();
                });
            }
            while (waiters(u) < 5) {
                Go.yield();
            }
            u.close();
            wg.await();
            assertEquals(5, closedSeen.get());
        });
    }

    @Test
    @Timeout(10)
    void closeWakesSendersWithException() {
        rt.run(() -> {
            Chan<Integer> c = Chan.make(0);
            WaitGroup wg = new WaitGroup();
            AtomicInteger threw = new AtomicInteger();
            for (int i = 0; i < 3; i++) {
                wg.add(1);
                Go.go(() -> {
                    try {
                        c.send(7);
                    } catch (ClosedChannelException e) {
                        threw.incrementAndGet();
                    }
                    wg.done();
                });
            }
            while (waiters(c) < 3) {
                Go.yield();
            }
            c.close();
            wg.await();
            assertEquals(3, threw.get());
            assertNull(c.recv(), "no sender's value was left behind");
        });
    }

    @Test
    @Timeout(10)
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> Chan.make(-1));
        rt.run(() -> {
            Chan<Integer> c = Chan.make(1);
            assertThrows(NullPointerException.class, () -> c.send(null));
            assertThrows(NullPointerException.class, () -> c.trySend(null));
            c.send(5);
            c.close();
            ClosedChannelException e = assertThrows(ClosedChannelException.class, c::close);
            assertEquals("close of closed channel", e.getMessage());
            assertEquals(
                    "send on closed channel",
                    assertThrows(ClosedChannelException.class, () -> c.send(1)).getMessage());
            assertThrows(ClosedChannelException.class, () -> c.trySend(1));
            assertEquals(5, c.recv(), "channel still usable after the bad calls");
        });
        // Outside a goroutine: Carrier.current() refuses.
        Chan<Integer> c = Chan.make(1);
        assertThrows(IllegalStateException.class, () -> c.send(1));
        assertThrows(IllegalStateException.class, c::recv);
    }

    @Test
    @Timeout(10)
    void nonBlockingOperationsFromAPlainThread() {
        Chan<Integer> c = Chan.make(1);
        assertTrue(c.trySend(1));
        assertFalse(c.trySend(2), "full");
        assertEquals(1, c.len());
        assertEquals(new Received<>(1, true), c.tryRecv());
        assertNull(c.tryRecv(), "empty and open");
        c.close();
        assertEquals(Received.closed(), c.tryRecv());
        assertThrows(ClosedChannelException.class, () -> c.trySend(3));

        // A plain thread hands a value to a goroutine parked in recv (readied through the
        // scheduler recorded in its sudog), then wakes a second receive by closing the channel.
        Chan<Integer> u = Chan.make(0);
        Chan<Integer> d = Chan.make(0);
        Received<Integer> last = rt.run(() -> {
            Scheduler s = Carrier.current().scheduler();
            s.addWaker(1); // the plain thread below will wake us
            Thread.ofPlatform().start(() -> {
                while (!u.trySend(7)) {
                    Thread.onSpinWait();
                }
                for (boolean waiting = false; !waiting; ) {
                    d.lock.lock();
                    waiting = !d.recvq.isEmpty();
                    d.lock.unlock();
                }
                d.close();
                s.addWaker(-1);
            });
            assertEquals(7, u.recv());
            return d.recvOk();
        });
        assertFalse(last.ok(), "woken by close");
    }

    @Test
    @Timeout(10)
    void rangeUntilClosed() {
        int sum = rt.run(() -> {
            Chan<Integer> c = Chan.make(0);
            Go.go(() -> {
                for (int i = 1; i <= 100; i++) {
                    c.send(i);
                }
                c.close();
            });
            int s = 0;
            for (int v : c) {
                s += v;
            }
            return s;
        });
        assertEquals(5050, sum);
    }

    @Test
    @Timeout(10)
    void pingPong() {
        int n = rt.run(() -> {
            Chan<Integer> ping = Chan.make(0);
            Chan<Integer> pong = Chan.make(0);
            Go.go(() -> {
                for (Integer v; (v = ping.recv()) != null; ) {
                    pong.send(v + 1);
                }
            });
            int v = 0;
            for (int i = 0; i < 10_000; i++) {
                ping.send(v);
                v = pong.recv();
            }
            ping.close();
            return v;
        });
        assertEquals(10_000, n);
    }

    @Test
    @Timeout(10)
    void deadlockOnReceiveNobodySendsTo() {
        assertThrows(
                DeadlockException.class,
                () -> rt.run(() -> {
                    Chan<Integer> c = Chan.make(0);
                    return c.recv();
                }));
        assertEquals(1, rt.run(() -> 1), "runtime still usable");
    }

    @Test
    @Timeout(10)
    void sudogsAreReused() {
        rt.run(() -> {
            Chan<Integer> c = Chan.make(0);
            Go.go(() -> {
                for (int i = 0; i < 1000; i++) {
                    c.send(i);
                }
            });
            for (int i = 0; i < 1000; i++) {
                assertEquals(i, c.recv());
            }
        });
    }
}
