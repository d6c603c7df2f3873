package dev.jgo.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Go 1.23 timer semantics: a firing sends from the timer itself (no goroutine per firing), stop
 * and reset leave no stale value, deadlines saturate, and an unreferenced ticker is garbage.
 */
@Timeout(120)
class Go123TimerTest {

    /**
     * The proof: a 1 ns ticker runs for a second with a receiver draining it, then stops
     * at once; the goroutine count stays constant meanwhile (a goroutine per firing, as before
     * Go 1.23, would flood it).
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void nanosecondTickerStartsNoGoroutinesAndStopsAtOnce(String timers) {
        try (GoRuntime rt = Runtimes.build(2, timers)) {
            rt.run(() -> {
                int before = rt.numGoroutine();
                long best = Long.MAX_VALUE;
                long worst = 0;
                // The first round ticks for a second; four shorter ones give stop() more tries
                // on this shared machine, where one measurement can catch an OS preemption.
                for (int round = 0; round < 5; round++) {
                    Ticker t = Time.newTicker(Duration.ofNanos(1));
                    long end = System.nanoTime() + (round == 0 ? 1_000_000_000L : 100_000_000L);
                    int max = before;
                    long ticks = 0;
                    while (System.nanoTime() < end) {
                        if (t.c().tryRecv() != null) {
                            ticks++;
                        }
                        max = Math.max(max, rt.numGoroutine());
                        Go.yield();
                    }
                    long t0 = System.nanoTime();
                    t.stop();
                    long stopNanos = System.nanoTime() - t0;
                    best = Math.min(best, stopNanos);
                    worst = Math.max(worst, stopNanos);
                    assertTrue(ticks > 0, "the ticker ticked");
                    assertEquals(before, max, "goroutines while ticking");
                    assertNull(t.c().tryRecv(), "no tick after stop");
                    Go.sleep(Duration.ofMillis(5));
                    assertNull(t.c().tryRecv(), "no tick after stop");
                }
                assertTrue(best < 10_000_000L, "stop took at best " + best + " ns");
                assertTrue(worst < 1_000_000_000L, "stop took " + worst + " ns");
            });
        }
    }

    /** A period or delay near the clock's range saturates: the timer never fires. */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void hugeDurationsSaturate(String timers) {
        try (GoRuntime rt = Runtimes.build(2, timers)) {
            rt.run(() -> {
                Ticker t1 = Time.newTicker(Duration.ofNanos(Long.MAX_VALUE - 1));
                Ticker t2 = Time.newTicker(Duration.ofSeconds(Long.MAX_VALUE));
                Timer t3 = Time.newTimer(Duration.ofNanos(Long.MAX_VALUE));
                Ticker t4 = Time.newTicker(Duration.ofSeconds(1));
                t4.reset(Duration.ofNanos(Long.MAX_VALUE));
                Go.sleep(Duration.ofMillis(100));
                assertNull(t1.c().tryRecv(), "ticked at once: the deadline overflowed");
                assertNull(t2.c().tryRecv());
                assertNull(t3.c().tryRecv());
                assertNull(t4.c().tryRecv());
                assertTrue(t3.stop(), "still pending");
                t1.stop();
                t2.stop();
                t4.stop();
            });
        }
    }

    /** Go's TestTimerModifiedEarlier style: reset of a fired, unreceived timer drops its value. */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void resetDropsTheFiredValueAndReportsIt(String timers) {
        try (GoRuntime rt = Runtimes.build(2, timers)) {
            rt.run(() -> {
                for (int i = 0; i < 200; i++) {
                    Timer t = Time.newTimer(Duration.ZERO);
                    while (t.c().len() == 0) {
                        Go.yield();
                    }
                    assertTrue(t.reset(Duration.ofHours(1)), "a fired value nobody received counts as stopped");
                    assertNull(t.c().tryRecv(), "stale value after reset");
                    assertTrue(t.stop());
                    assertNull(t.c().tryRecv());
                    // and a racing firing: stop right when it is due
                    Timer u = Time.newTimer(Duration.ofNanos(i * 1000L));
                    boolean stopped = u.stop();
                    Go.yield();
                    assertNull(u.c().tryRecv(), "value after stop (stop returned " + stopped + ")");
                    assertTrue(!u.stop(), "second stop finds nothing to stop");
                }
            });
        }
    }

    /** Go's TestTicker reset path: after reset, ticks come at the new period and none is stale. */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void tickerResetKeepsNoStaleTick(String timers) {
        try (GoRuntime rt = Runtimes.build(2, timers)) {
            rt.run(() -> {
                Ticker t = Time.newTicker(Duration.ofMillis(1));
                Go.sleep(Duration.ofMillis(20)); // a tick is buffered now
                Instant before = Instant.now();
                t.reset(Duration.ofMillis(30));
                Instant got = t.c().recv();
                assertNotNull(got);
                assertTrue(!got.isBefore(before), "stale tick " + got + " from before the reset " + before);
                t.stop();
            });
        }
    }

    /**
     * An unreferenced ticker that was never stopped is garbage, with its channel, and then leaves
     * its timer queue: with nothing else pending, a main goroutine blocked forever is reported
     * as a deadlock (a ticker left in the queue would keep the runtime waiting for it).
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void unreferencedTickerIsCollectedAndLeavesTheQueue(String timers) throws Exception {
        AtomicReference<WeakReference<Ticker>> tickerRef = new AtomicReference<>();
        AtomicReference<WeakReference<Chan<Instant>>> chanRef = new AtomicReference<>();
        AtomicReference<WeakReference<Timer>> timerRef = new AtomicReference<>();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread gc = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                System.gc();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try (GoRuntime rt = Runtimes.build(2, timers)) {
            assertThrows(
                    DeadlockException.class,
                    () -> rt.run(() -> {
                        makeGarbage(tickerRef, chanRef, timerRef);
                        long deadline = System.nanoTime() + 30_000_000_000L;
                        while (chanRef.get().get() != null || timerRef.get().get() != null) {
                            assertTrue(System.nanoTime() < deadline, "the ticker's channel was never collected");
                            Go.sleep(Duration.ofMillis(10));
                        }
                        assertNull(tickerRef.get().get());
                        Chan.<Object>make(0).recv(); // nobody sends: a deadlock once the ticker left
                    }));
        } finally {
            running.set(false);
            gc.join(10_000);
        }
    }

    private static void makeGarbage(
            AtomicReference<WeakReference<Ticker>> tickerRef,
            AtomicReference<WeakReference<Chan<Instant>>> chanRef,
            AtomicReference<WeakReference<Timer>> timerRef) {
        Ticker t = Time.newTicker(Duration.ofMillis(1));
        tickerRef.set(new WeakReference<>(t));
        chanRef.set(new WeakReference<>(t.c()));
        Timer once = Time.newTimer(Duration.ofMillis(5)); // fires, unreceived, then is garbage
        timerRef.set(new WeakReference<>(once));
    }
}
