package dev.jgo.safepoint.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.WaitGroup;
import dev.jgo.time.Time;
import dev.jgo.time.Timer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Timers pending on many Ps while GOMAXPROCS shrinks and grows (World "procresize": a removed P's
 * timers move to the caller's P or P0): no timer is lost or stranded on a dead or unmasked P, each
 * fires once, close to its deadline, and a timer stopped in time never fires.
 */
@Timeout(180)
class TimerMoveStressTest {
    static final int ROUNDS = 40 * Integer.getInteger("jgo.stress", 1);
    static final long LATE_NANOS = TimeUnit.SECONDS.toNanos(2);

    @Test
    void timersSurviveResizes() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(8).build()) {
            AtomicLong fired = new AtomicLong();
            AtomicLong firedAfterStop = new AtomicLong();
            AtomicLong worstLate = new AtomicLong();
            AtomicLong sleeps = new AtomicLong();
            CompletableFuture<Void> work = CompletableFuture.runAsync(() -> rt.run(() -> {
                for (int r = 0; r < ROUNDS; r++) {
                    WaitGroup wg = new WaitGroup();
                    int n = 48;
                    wg.add(n);
                    for (int i = 0; i < n; i++) {
                        int kind = i % 3;
                        Go.go(() -> {
                            long d = TimeUnit.MILLISECONDS.toNanos(
                                    1 + ThreadLocalRandom.current().nextInt(30));
                            long t0 = System.nanoTime();
                            switch (kind) {
                                case 0 -> { // a sleeper: its timer sits on this P's queue
                                    Go.sleep(Duration.ofNanos(d));
                                    worstLate.accumulateAndGet(System.nanoTime() - t0 - d, Math::max);
                                    sleeps.incrementAndGet();
                                }
                                case 1 -> { // a timer read through its channel
                                    Timer t = Time.newTimer(Duration.ofNanos(d));
                                    t.c().recv();
                                    worstLate.accumulateAndGet(System.nanoTime() - t0 - d, Math::max);
                                    fired.incrementAndGet();
                                }
                                default -> { // a timer stopped before it fires, maybe after a move
                                    Timer t = Time.afterFunc(Duration.ofSeconds(30), firedAfterStop::incrementAndGet);
                                    Go.sleep(Duration.ofNanos(d));
                                    if (!t.stop()) {
                                        throw new AssertionError("a 30 s timer was no longer pending");
                                    }
                                }
                            }
                            wg.done();
                        });
                    }
                    wg.await();
                }
            }));
            int[] sizes = {1, 8, 3, 70, 2, 65, 1, 5};
            int resizes = 0;
            while (!work.isDone()) {
                rt.gomaxprocs(sizes[resizes++ % sizes.length]);
                Thread.sleep(0, 500_000);
            }
            work.get(60, TimeUnit.SECONDS);
            assertEquals((long) ROUNDS * 16, sleeps.get(), "every sleeper woke");
            assertEquals((long) ROUNDS * 16, fired.get(), "every timer fired");
            assertEquals(0, firedAfterStop.get(), "a stopped timer fired");
            assertTrue(worstLate.get() < LATE_NANOS, "a timer fired " + worstLate.get() / 1_000_000 + " ms late");
            assertTrue(resizes >= 8, "resized while timers were pending: " + resizes);
        }
    }
}
