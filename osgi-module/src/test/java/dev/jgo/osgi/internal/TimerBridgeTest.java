package dev.jgo.osgi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.TimerQueue;
import dev.jgo.spi.TimerQueueFactory;
import dev.jgo.sync.WaitGroup;
import dev.jgo.time.Ticker;
import dev.jgo.time.Time;
import dev.jgo.timer.internal.HeapTimerQueueFactory;
import dev.jgo.timer.internal.WheelTimerQueueFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The timer bridge without a framework: factories come and go under a running runtime. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimerBridgeTest {

    private static GoRuntime runtime(TimerBridge b) {
        return GoRuntime.builder().procs(2).timerQueueFactory(b).build();
    }

    /** Sleeps d in a goroutine: "slept", or the message of the IllegalStateException it got. */
    private static String trySleep(GoRuntime rt, Duration d) {
        return rt.run(() -> {
            long t0 = System.nanoTime();
            try {
                Go.sleep(d);
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
            return System.nanoTime() - t0 >= d.toNanos() ? "slept" : "woke early";
        });
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    @Test
    void withoutAFactoryTimersFailClearlyAndTheRuntimeRuns() {
        TimerBridge b = new TimerBridge();
        try (GoRuntime rt = runtime(b)) {
            assertEquals(
                    "stopped",
                    rt.run(() -> TimerQueue.current(Carrier.current()).name()));
            String msg = trySleep(rt, Duration.ofMillis(1));
            assertTrue(msg.contains("jgo-timer bundle is stopped"), msg);
            assertEquals(3, rt.run(() -> 1 + 2));
            assertEquals(0, (int) rt.run(() -> {
                Go.sleep(Duration.ZERO); // needs no timer
                return 0;
            }));
        }
    }

    @Test
    void stopKeepsSleepersAndRestartRestores() throws Exception {
        TimerBridge b = new TimerBridge();
        TimerQueueFactory heap = new HeapTimerQueueFactory();
        b.use(heap);
        try (GoRuntime rt = runtime(b)) {
            assertEquals("slept", trySleep(rt, Duration.ofMillis(5)));
            // armed before the stop (run returns once it is in a queue), then waited on by a goroutine
            dev.jgo.time.Timer armed = rt.run(() -> Time.newTimer(Duration.ofMillis(200)));
            CountDownLatch woke = new CountDownLatch(1);
            rt.go(() -> {
                armed.c().recv();
                woke.countDown();
            });
            b.use(null); // the timer bundle stops
            assertNull(b.factory());
            String msg = trySleep(rt, Duration.ofMillis(1));
            assertTrue(msg.contains("jgo-timer bundle is stopped"), msg);
            assertTrue(woke.await(10, TimeUnit.SECONDS), "a goroutine asleep before the stop wakes");
            await(
                    () -> {
                        rt.run(() -> Go.yield()); // lets an M run checkTimers and collect the emptied generation
                        b.collect();
                        return b.retiredCount() == 0;
                    },
                    "the retired generation removed once empty");

            b.use(heap); // it starts again
            assertEquals("slept", trySleep(rt, Duration.ofMillis(10)));
            assertTrue(rt.run(() -> Time.after(Duration.ofMillis(2)).recv() != null));
        }
    }

    @Test
    void aNewFactoryTakesNewTimersWhileTheOldOneDrains() throws Exception {
        TimerBridge b = new TimerBridge();
        b.use(new HeapTimerQueueFactory());
        try (GoRuntime rt = runtime(b)) {
            Ticker[] ticker = new Ticker[1];
            rt.run(() -> ticker[0] = Time.newTicker(Duration.ofMillis(2)));
            b.use(new WheelTimerQueueFactory());
            assertEquals(
                    "wheel", rt.run(() -> TimerQueue.current(Carrier.current()).name()));
            assertEquals("slept", trySleep(rt, Duration.ofMillis(5)));
            // the heap ticker still ticks, and can be reset and stopped
            assertTrue(rt.run(() -> ticker[0].c().recv() != null));
            rt.run(() -> ticker[0].reset(Duration.ofMillis(1)));
            assertTrue(rt.run(() -> ticker[0].c().recv() != null));
            assertEquals(1, b.retiredCount(), "the heap generation lives while its ticker does");
            rt.run(() -> ticker[0].stop());
            await(
                    () -> {
                        b.collect();
                        return b.retiredCount() == 0;
                    },
                    "the heap generation removed after its ticker stopped");
            assertSame(WheelTimerQueueFactory.class, b.factory().getClass());
        }
    }

    @Test
    void goroutinesSleepingWhileTheFactoryFlapsEitherSleepOrFailNeverHang() throws Exception {
        TimerBridge b = new TimerBridge();
        TimerQueueFactory heap = new HeapTimerQueueFactory();
        b.use(heap);
        int stress = Integer.getInteger("jgo.stress", 1);
        try (GoRuntime rt = runtime(b)) {
            AtomicInteger slept = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            WaitGroup wg = new WaitGroup();
            int goroutines = 8;
            int rounds = 200 * stress;
            CountDownLatch done = new CountDownLatch(1);
            rt.go(() -> {
                for (int g = 0; g < goroutines; g++) {
                    wg.add(1);
                    Go.go(() -> {
                        for (int i = 0; i < rounds; i++) {
                            try {
                                Go.sleep(Duration.ofNanos(50_000 + (i % 7) * 10_000));
                                slept.incrementAndGet();
                            } catch (IllegalStateException e) {
                                assertTrue(e.getMessage().contains("jgo-timer bundle is stopped"), e.getMessage());
                                refused.incrementAndGet();
                                Go.yield();
                            }
                        }
                        wg.done();
                    });
                }
                wg.await();
                done.countDown();
            });
            for (int i = 0; done.getCount() > 0; i++) {
                b.use(i % 2 == 0 ? null : heap);
                Thread.sleep(1);
            }
            assertEquals(goroutines * rounds, slept.get() + refused.get());
            assertTrue(slept.get() > 0, "some sleeps ran");
        }
    }
}
