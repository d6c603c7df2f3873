package dev.jgo.safepoint.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.WaitGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GOMAXPROCS changed back and forth across multiples of 64 (the width of one word of the idle and
 * timer P masks) while goroutines spawn, sleep on timers and sit in {@code Go.blocking}: every
 * reader of {@code allp} and the masks (stealers, idle Ms, sysmon, timers) runs beside the
 * resizes. Nothing may throw on any thread, every call returns the previous value, no goroutine
 * or timer is lost, and the runtime schedules normally afterwards.
 */
@Timeout(180)
class GomaxprocsStormTest {
    /** Storm length; {@code -Djgo.stress=N} multiplies it. */
    static final long STORM_NANOS = TimeUnit.SECONDS.toNanos(6) * Integer.getInteger("jgo.stress", 1);

    /** Sizes the storm alternates between: each pair crosses at least one 64-P word boundary. */
    static final int[][] PAIRS = {{4000, 2}, {1000, 2}, {130, 2}, {70, 60}};

    @Test
    void resizeStormAcrossMaskWordsThrowsNowhere() throws Exception {
        List<Throwable> seen = Collections.synchronizedList(new ArrayList<>());
        Thread.UncaughtExceptionHandler record = (t, e) -> seen.add(new AssertionError("thrown on " + t.getName(), e));
        String name = "storm" + System.nanoTime();
        try (GoRuntime rt = GoRuntime.builder()
                .name(name)
                .procs(2)
                .uncaughtExceptionHandler((g, e) -> seen.add(new AssertionError("thrown by " + g, e)))
                .build()) {
            watch(name, record); // sysmon and the first M, before anything else runs
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sleeps = new AtomicLong();
            AtomicLong blockingCalls = new AtomicLong();
            AtomicLong latestWake = new AtomicLong();
            int spawners = 6;
            CompletableFuture<Long> work = CompletableFuture.supplyAsync(() -> rt.run(() -> {
                AtomicLong total = new AtomicLong();
                WaitGroup wg = new WaitGroup();
                wg.add(spawners);
                for (int w = 0; w < spawners; w++) {
                    int id = w;
                    Go.go(() -> {
                        for (long r = 0; !stop.get(); r++) {
                            Chan<Integer> c = Chan.make(0);
                            for (int k = 0; k < 8; k++) {
                                int v = k;
                                Go.go(() -> {
                                    if (v == 0) { // a goroutine in a system call during the resizes
                                        Go.blocking(() -> {
                                            Thread.sleep(0, 200_000);
                                            return null;
                                        });
                                        blockingCalls.incrementAndGet();
                                    }
                                    c.send(v);
                                });
                            }
                            long s = 0;
                            for (int k = 0; k < 8; k++) {
                                s += c.recv();
                            }
                            if (s != 28) {
                                throw new AssertionError("channel sum " + s);
                            }
                            total.addAndGet(s);
                            if ((r + id) % 4 == 0) {
                                long t0 = System.nanoTime();
                                Go.sleep(Duration.ofNanos(100_000)); // a timer on whichever P, moved on shrink
                                latestWake.accumulateAndGet(System.nanoTime() - t0, Math::max);
                                sleeps.incrementAndGet();
                            }
                        }
                        wg.done();
                    });
                }
                wg.await();
                return total.get();
            }));

            long end = System.nanoTime() + STORM_NANOS;
            int expected = 2;
            int calls = 0;
            while (System.nanoTime() < end && !work.isDone()) {
                for (int[] pair : PAIRS) {
                    for (int n : pair) {
                        int prev = switch (calls % 3) {
                            case 0 -> rt.gomaxprocs(n); // from a plain thread
                            case 1 -> rt.run(() -> rt.gomaxprocs(n)); // the stopper's P may go away
                            default -> rt.run(() -> Go.blocking(() -> rt.gomaxprocs(n))); // stopper without a P
                        };
                        calls++;
                        assertEquals(expected, prev, "gomaxprocs(" + n + ") call " + calls + " returned");
                        expected = n;
                        watch(name, record);
                    }
                }
            }
            stop.set(true);
            long total = work.get(60, TimeUnit.SECONDS);
            assertTrue(total > 0 && total % 28 == 0, "total " + total);
            assertTrue(calls >= 16, "resizes: " + calls);
            assertTrue(sleeps.get() > 0 && blockingCalls.get() > 0, "sleeps " + sleeps + ", blocking " + blockingCalls);
            assertEquals(List.of(), seen, "nothing thrown on any runtime thread");
            assertTrue(
                    Thread.getAllStackTraces().keySet().stream()
                            .anyMatch(t -> t.getName().equals(name + "-sysmon") && t.isAlive()),
                    "sysmon still runs");
            assertTrue(
                    latestWake.get() < TimeUnit.SECONDS.toNanos(2),
                    "a 100 µs sleep took " + latestWake.get() / 1_000_000 + " ms across the resizes");

            // the runtime still computes, on every size the storm used
            for (int n : new int[] {2, 64, 65, 3}) {
                rt.gomaxprocs(n);
                int m = n;
                long sum = rt.run(() -> {
                    Chan<Long> c = Chan.make(0);
                    for (long i = 1; i <= 100; i++) {
                        long v = i;
                        Go.go(() -> c.send(v));
                    }
                    long s = 0;
                    for (int i = 0; i < 100; i++) {
                        s += c.recv();
                    }
                    Go.sleep(Duration.ofMillis(1));
                    return s;
                });
                assertEquals(5050, sum, "gomaxprocs " + m);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rt.numGoroutine() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(0, rt.numGoroutine(), "goroutine count back to zero");

            // with one P, a new goroutine runs beside one in Go.blocking and one looping on checkpoints
            assertEquals(3, rt.gomaxprocs(1));
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean spin = new AtomicBoolean(true);
            rt.go(() -> Go.blocking(() -> release.await(30, TimeUnit.SECONDS)));
            rt.go(() -> {
                while (spin.get()) {
                    Go.checkpoint();
                }
            });
            try {
                Thread.sleep(50);
                long[] waits = new long[5];
                for (int i = 0; i < waits.length; i++) {
                    CountDownLatch ran = new CountDownLatch(1);
                    long t0 = System.nanoTime();
                    rt.go(ran::countDown);
                    // bounded hard at 2 s (a P never retaken or preempted waits forever); the
                    // 200 ms target on the median, since the shared machine can stall any thread
                    assertTrue(ran.await(2, TimeUnit.SECONDS), "a new goroutine did not run within 2 s");
                    waits[i] = (System.nanoTime() - t0) / 1_000_000;
                }
                Arrays.sort(waits);
                assertTrue(
                        waits[waits.length / 2] < 200,
                        "new goroutines waited " + Arrays.toString(waits) + " ms for the only P");
            } finally {
                spin.set(false);
                release.countDown();
            }
            assertEquals(List.of(), seen, "nothing thrown on any runtime thread");
        }
    }

    /** Puts {@code h} on every live thread of runtime {@code name} (its Ms and sysmon). */
    private static void watch(String name, Thread.UncaughtExceptionHandler h) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(name + "-") && t.getUncaughtExceptionHandler() != h) {
                t.setUncaughtExceptionHandler(h);
            }
        }
    }
}
