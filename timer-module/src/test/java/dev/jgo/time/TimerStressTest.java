package dev.jgo.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.WaitGroup;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Timers added, stopped and reset from many goroutines on several Ps at once (stop and reset of
 * timers held by other Ps' queues, stealers running them). Every afterFunc runs at most once per
 * arming, none is lost, and sleepers under CPU load all wake.
 */
@Timeout(180)
class TimerStressTest {
    static final int STRESS = Integer.getInteger("jgo.stress", 1);

    @ParameterizedTest(name = "{0} procs={1}")
    @CsvSource({"heap,2", "heap,4", "wheel,2", "wheel,4"})
    void addStopResetFromManyGoroutines(String timers, int procs) {
        int goroutines = 64;
        int perG = 2000 * STRESS;
        int n = goroutines * perG;
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        AtomicIntegerArray owed = new AtomicIntegerArray(n);
        try (GoRuntime rt = Runtimes.build(procs, timers)) {
            rt.run(() -> {
                Timer[] all = new Timer[n];
                WaitGroup wg = new WaitGroup();
                wg.add(goroutines);
                for (int g = 0; g < goroutines; g++) {
                    int base = g * perG;
                    Go.go(() -> {
                        ThreadLocalRandom r = ThreadLocalRandom.current();
                        for (int i = base; i < base + perG; i++) {
                            int k = i;
                            all[k] = Time.afterFunc(
                                    Duration.ofNanos(r.nextLong(2_000_000)), () -> runs.incrementAndGet(k));
                            owed.incrementAndGet(k);
                            // act on a random timer, maybe one another goroutine made on another P
                            int j = base + r.nextInt(i - base + 1);
                            Timer t = all[j];
                            switch (r.nextInt(3)) {
                                case 0 -> {
                                    if (t.stop()) {
                                        owed.decrementAndGet(j);
                                    }
                                }
                                case 1 -> {
                                    if (!t.reset(Duration.ofNanos(r.nextLong(1_000_000)))) {
                                        owed.incrementAndGet(j); // had run or was stopped: runs again
                                    }
                                }
                                default -> {
                                    if ((i & 63) == 0) {
                                        Go.yield();
                                    }
                                }
                            }
                        }
                        wg.done();
                    });
                }
                wg.await();
                // wait until every owed run happened
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (System.nanoTime() < deadline) {
                    boolean all_done = true;
                    for (int i = 0; i < n && all_done; i++) {
                        all_done = runs.get(i) >= owed.get(i);
                    }
                    if (all_done) {
                        break;
                    }
                    Go.sleep(Duration.ofMillis(5));
                }
                Go.sleep(Duration.ofMillis(20)); // and nothing more comes
            });
        }
        for (int i = 0; i < n; i++) {
            assertEquals(owed.get(i), runs.get(i), "timer " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"heap", "wheel"})
    void sleepersUnderCpuLoadAllWakeNoneEarly(String timers) {
        int procs = 2;
        int sleepers = 20_000 * STRESS;
        try (GoRuntime rt = Runtimes.build(procs, timers)) {
            AtomicInteger early = new AtomicInteger();
            AtomicLong spins = new AtomicLong();
            int woke = rt.run(() -> {
                AtomicInteger count = new AtomicInteger();
                WaitGroup wg = new WaitGroup();
                wg.add(sleepers);
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                for (int b = 0; b < procs; b++) { // busy goroutines that only yield at checkpoints
                    Go.go(() -> {
                        while (!stop.get()) {
                            for (int i = 0; i < 10_000; i++) {
                                spins.incrementAndGet();
                            }
                            Go.checkpoint();
                            Go.yield();
                        }
                    });
                }
                for (int i = 0; i < sleepers; i++) {
                    long d = ThreadLocalRandom.current().nextLong(1, 50) * 1_000_000L;
                    Go.go(() -> {
                        long t0 = System.nanoTime();
                        Go.sleep(Duration.ofNanos(d));
                        if (System.nanoTime() - t0 < d) {
                            early.incrementAndGet();
                        }
                        count.incrementAndGet();
                        wg.done();
                    });
                }
                wg.await();
                stop.set(true);
                return count.get();
            });
            assertEquals(sleepers, woke);
            assertEquals(0, early.get());
            assertTrue(spins.get() > 0);
        }
    }
}
