package dev.jgo.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Select;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** dev.jgo.time semantics, on both timer structures. */
@Timeout(120)
class TimeTest {

    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void afterDeliversOnceAfterTheDuration(String timers) {
        try (GoRuntime rt = Runtimes.build(2, timers)) {
            rt.run(() -> {
                long t0 = System.nanoTime();
                Instant v = Time.after(Duration.ofMillis(30)).recv();
                assertNotNull(v);
                assertTrue(System.nanoTime() - t0 >= 30_000_000L);
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void afterAsASelectTimeout(String timers) {
        try (GoRuntime rt = Runtimes.build(2, timers)) {
            String got = rt.run(() -> {
                Chan<String> never = Chan.make(0);
                AtomicReference<String> r = new AtomicReference<>();
                Select.create()
                        .recv(never, v -> r.set("value"))
                        .recv(Time.after(Duration.ofMillis(20)), v -> r.set("timeout"))
                        .select();
                return r.get();
            });
            assertEquals("timeout", got);
            // and the value wins when it comes first
            String got2 = rt.run(() -> {
                Chan<String> c = Chan.make(0);
                Go.go(() -> c.send("v"));
                AtomicReference<String> r = new AtomicReference<>();
                Select.create()
                        .recv(c, v -> r.set(v))
                        .recv(Time.after(Duration.ofSeconds(30)), v -> r.set("timeout"))
                        .select();
                return r.get();
            });
            assertEquals("v", got2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void stopAndResetReturnValues(String timers) {
        try (GoRuntime rt = Runtimes.build(2, timers)) {
            rt.run(() -> {
                Timer t = Time.newTimer(Duration.ofHours(1));
                assertTrue(t.stop(), "stop of a pending timer");
                assertFalse(t.stop(), "second stop");
                assertFalse(t.reset(Duration.ofMillis(10)), "reset of a stopped timer");
                assertNotNull(t.c().recv(), "reset re-arms a stopped timer");
                assertFalse(t.stop(), "stop after the value was received");
                assertFalse(t.reset(Duration.ofMillis(10)), "reset of a fired timer");
                assertNotNull(t.c().recv(), "reset re-arms a fired timer");
                assertFalse(t.reset(Duration.ofHours(1)));
                assertTrue(t.reset(Duration.ofHours(2)), "reset of a pending timer");
                assertTrue(t.stop());
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void stoppedOrResetTimerYieldsNoStaleValue(String timers) {
        try (GoRuntime rt = Runtimes.build(2, timers)) {
            rt.run(() -> {
                Timer t = Time.newTimer(Duration.ZERO); // fires at once
                Go.sleep(Duration.ofMillis(20)); // the value is sent, not received
                assertTrue(t.stop(), "Go 1.23: an unreceived value counts as pending");
                assertNull(t.c().tryRecv(), "no stale value after stop");
                Timer u = Time.newTimer(Duration.ofMillis(-1));
                Go.sleep(Duration.ofMillis(20));
                long t0 = System.nanoTime();
                assertTrue(u.reset(Duration.ofMillis(50)));
                u.c().recv();
                assertTrue(System.nanoTime() - t0 >= 50_000_000L, "the value came from the re-armed timer");
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void afterFuncRunsInItsOwnGoroutine(String timers) {
        try (GoRuntime rt = Runtimes.build(2, timers)) {
            rt.run(() -> {
                long me = Go.id();
                Chan<Long> c = Chan.make(1);
                Timer t = Time.afterFunc(Duration.ofMillis(10), () -> c.send(Go.id()));
                assertNull(t.c());
                long other = c.recv();
                assertTrue(other != me);
                assertFalse(t.stop(), "already ran");
                AtomicInteger ran = new AtomicInteger();
                Timer s = Time.afterFunc(Duration.ofMillis(50), ran::incrementAndGet);
                assertTrue(s.stop());
                Go.sleep(Duration.ofMillis(120));
                assertEquals(0, ran.get(), "a stopped afterFunc never runs");
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void tickerTicksAndDropsForSlowReceivers(String timers) {
        try (GoRuntime rt = Runtimes.build(2, timers)) {
            rt.run(() -> {
                Ticker tk = Time.newTicker(Duration.ofMillis(10));
                long t0 = System.nanoTime();
                for (int i = 0; i < 5; i++) {
                    assertNotNull(tk.c().recv());
                }
                assertTrue(System.nanoTime() - t0 >= 40_000_000L, "5 ticks of 10 ms");
                // a slow receiver: about 10 periods pass, at most one tick is buffered
                Go.sleep(Duration.ofMillis(100));
                int buffered = 0;
                while (buffered < 10 && tk.c().tryRecv() != null) {
                    buffered++;
                }
                // one tick waited in the buffer; at most one more can land while we drain
                assertTrue(buffered >= 1 && buffered <= 2, "ticks for a slow receiver are dropped: " + buffered);
                tk.reset(Duration.ofMillis(30));
                long t1 = System.nanoTime();
                tk.c().recv();
                assertTrue(System.nanoTime() - t1 >= 25_000_000L, "reset changes the period");
                tk.stop();
                Go.sleep(Duration.ofMillis(80));
                assertNull(tk.c().tryRecv(), "no tick after stop");
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void badInput(String timers) {
        try (GoRuntime rt = Runtimes.build(1, timers)) {
            rt.run(() -> {
                assertThrows(IllegalArgumentException.class, () -> Time.newTicker(Duration.ZERO));
                assertThrows(IllegalArgumentException.class, () -> Time.newTicker(Duration.ofMillis(-1)));
                Ticker tk = Time.newTicker(Duration.ofMillis(5));
                assertThrows(IllegalArgumentException.class, () -> tk.reset(Duration.ZERO));
                tk.stop();
                assertThrows(NullPointerException.class, () -> Time.after(null));
                assertNotNull(Time.after(Duration.ofDays(-3)).recv(), "negative fires at once");
                assertNotNull(Time.after(Duration.ofSeconds(Long.MAX_VALUE)));
            });
        }
        assertThrows(IllegalStateException.class, () -> Time.after(Duration.ofMillis(1)), "outside a goroutine");
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void timersAfterCloseFailClearly(String timers) {
        GoRuntime rt = Runtimes.build(1, timers);
        rt.close();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> rt.run(() -> Time.after(Duration.ofMillis(1))));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void resetRacesNeverDeliverTwicePerArming(String timers) {
        try (GoRuntime rt = Runtimes.build(2, timers)) {
            AtomicLong extra = new AtomicLong();
            rt.run(() -> {
                for (int i = 0; i < 300; i++) {
                    Timer t = Time.newTimer(Duration.ofNanos(i * 1000L));
                    if (i % 3 == 0) {
                        Go.yield();
                    }
                    t.reset(Duration.ofNanos(500));
                    t.c().recv();
                    Go.sleep(Duration.ofMillis(1));
                    if (t.c().tryRecv() != null) {
                        extra.incrementAndGet();
                    }
                }
            });
            assertEquals(0, extra.get(), "a value from before reset was delivered");
        }
    }
}
