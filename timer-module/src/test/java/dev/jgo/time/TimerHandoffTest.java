package dev.jgo.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.RuntimeView.Counters;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Timers on the hand-off path (issue 17): a P whose own timer falls due while its M spins for
 * work runs the timer and the goroutine it readies, instead of giving up the P, parking the M
 * until a deadline already past and taking an idle P back; and an M that wakes at a timer's
 * deadline runs the due timers at once. A goroutine sleeping 10 microseconds at a time, 5,000
 * times, counts the Ms woken.
 */
@Timeout(120)
class TimerHandoffTest {

    private static final int SLEEPS = 5_000;

    /**
     * With one P no M needs waking (before: one per sleep). With two, adding each timer wakes
     * the idle M as Go's wakeNetPoller does (about half a wake-up per sleep is seen); before, an
     * idle M that woke at a deadline already past took a P, was not allowed to spin, parked
     * until the same deadline again and looped until the timer's P ran it: 20 to 175 wake-ups
     * per sleep.
     */
    @ParameterizedTest(name = "procs={0}")
    @CsvSource({"1, 0.2", "2, 2.0"})
    void shortSleepsAreRunWithoutParkingTheM(int procs, double maxPerSleep) {
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            rt.run(() -> sleepLoop(500)); // start-up: the runtime's Ms exist and are idle
            Counters before = rt.view().counters();
            int slept = rt.run(() -> sleepLoop(SLEEPS));
            Counters after = rt.view().counters();
            assertEquals(SLEEPS, slept);
            long woken = after.mWakeups() - before.mWakeups();
            long parks = after.mParks() - before.mParks();
            System.getLogger("dev.jgo")
                    .log(
                            System.Logger.Level.INFO,
                            "{0} sleeps of 10 us, procs {1}: M parks {2}, Ms woken {3}",
                            SLEEPS,
                            procs,
                            parks,
                            woken);
            assertTrue(woken < maxPerSleep * SLEEPS, "Ms woken: " + woken + " for " + SLEEPS + " sleeps");
        }
    }

    private static int sleepLoop(int n) {
        int done = 0;
        for (int i = 0; i < n; i++) {
            Go.sleep(Duration.ofNanos(10_000));
            done++;
        }
        return done;
    }
}
