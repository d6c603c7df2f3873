package dev.jgo.safepoint.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.ProcControl;
import dev.jgo.sync.Chan;
import dev.jgo.sync.WaitGroup;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GOMAXPROCS changed while running: bad input, resizes from inside and outside, a resize storm. */
@Timeout(120)
class GomaxprocsTest {

    @Test
    void badInputAndNoOps() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).maxThreads(16).build()) {
            assertEquals(2, rt.gomaxprocs(0), "0 reads the value, as Go");
            assertThrows(IllegalArgumentException.class, () -> rt.gomaxprocs(-1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rt.gomaxprocs(16));
            assertTrue(e.getMessage().contains("maxThreads"), e.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> StopTheWorldTest.coordinator(rt).gomaxprocs(-2));
            assertEquals(2, rt.gomaxprocs());
            assertEquals(2, rt.gomaxprocs(5));
            assertEquals(5, rt.gomaxprocs());
            assertEquals(5, rt.view().gomaxprocs());
            assertEquals(5, rt.gomaxprocs(1));
            assertEquals(1, rt.gomaxprocs());
            assertEquals(10, rt.run(() -> 4 + 6));
        }
    }

    @Test
    void shrinkingUnderTheCallersOwnPMovesItToP0() {
        try (GoRuntime rt = GoRuntime.builder().procs(4).build()) {
            ProcControl pc = StopTheWorldTest.coordinator(rt).control();
            long sum = rt.run(() -> {
                long s = 0;
                for (int i = 0; i < 50; i++) {
                    // spawn onto this P's queue, then resize under it
                    Chan<Integer> c = Chan.make(64);
                    for (int k = 0; k < 64; k++) {
                        int v = k;
                        Go.go(() -> c.send(v));
                    }
                    assertEquals(4, rt.gomaxprocs(1));
                    assertEquals(0, pc.currentP(), "the caller runs on P0 after a shrink to 1");
                    for (int k = 0; k < 64; k++) {
                        s += c.recv();
                    }
                    assertEquals(1, rt.gomaxprocs(4));
                }
                return s;
            });
            assertEquals(50L * 64 * 63 / 2, sum, "no goroutine lost in the moved run queues");
            for (int i = 0; i < 4; i++) {
                int st = pc.pStatus(i);
                assertTrue(st != ProcControl.P_DEAD && st != ProcControl.P_GCSTOP, "P" + i + " status " + st);
            }
        }
    }

    @Test
    void resizeFromInsideGoBlockingWhereTheCallerHoldsNoP() {
        try (GoRuntime rt = GoRuntime.builder().procs(3).build()) {
            int sum = rt.run(() -> {
                int s = 0;
                for (int i = 0; i < 20; i++) {
                    int n = 1 + i % 3;
                    s += Go.blocking(() -> rt.gomaxprocs(n)); // the caller's P is in SYSCALL meanwhile
                    assertEquals(n, rt.gomaxprocs());
                    Chan<Integer> c = Chan.make(0);
                    Go.go(() -> c.send(7));
                    s += c.recv();
                }
                return s;
            });
            // each resize returns the previous value (3, then 1, 2, 3, ...): 7*3 + 7*1 + 6*2, plus 20 sevens
            assertEquals(40 + 20 * 7, sum, "previous GOMAXPROCS values and channel values");
            assertEquals(42, rt.run(() -> 42));
        }
    }

    @Test
    void resizeStormLosesNoGoroutineOrTimer() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong timersFired = new AtomicLong();
            int workers = 8;
            int rounds = 300;
            CompletableFuture<Long> work = CompletableFuture.supplyAsync(() -> rt.run(() -> {
                AtomicLong total = new AtomicLong();
                WaitGroup wg = new WaitGroup();
                wg.add(workers);
                for (int w = 0; w < workers; w++) {
                    Go.go(() -> {
                        for (int r = 0; r < rounds; r++) {
                            // a small tree of goroutines summing 0..15 through a channel
                            Chan<Integer> c = Chan.make(0);
                            for (int k = 0; k < 16; k++) {
                                int v = k;
                                Go.go(() -> c.send(v));
                            }
                            long s = 0;
                            for (int k = 0; k < 16; k++) {
                                s += c.recv();
                            }
                            total.addAndGet(s);
                            if (r % 10 == 0) {
                                Go.sleep(Duration.ofNanos(200_000)); // a timer on whichever P
                                timersFired.incrementAndGet();
                            }
                        }
                        wg.done();
                    });
                }
                wg.await();
                return total.get();
            }));
            int[] sizes = {1, 2, 4, 3, 2};
            int resizes = 0;
            while (!work.isDone()) {
                rt.gomaxprocs(sizes[resizes++ % sizes.length]);
                Thread.sleep(0, 200_000);
            }
            long total = work.get(60, TimeUnit.SECONDS);
            assertEquals((long) workers * rounds * (16 * 15 / 2), total, "every goroutine ran exactly once");
            assertEquals((long) workers * (rounds / 10), timersFired.get(), "every timer fired");
            assertTrue(resizes >= 5, "resized while the work ran: " + resizes);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rt.numGoroutine() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(0, rt.numGoroutine(), "goroutine count back to zero across dead Ps");
            stop.set(true);
        }
    }
}
