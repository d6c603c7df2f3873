package dev.jgo.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.RuntimeView.Counters;
import dev.jgo.sync.Chan;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
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
@Timeout(300)
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

    /**
     * Stress of the same paths: 100 rounds with a random number of Ps (1 to 4), where pairs of
     * goroutines ping-pong over unbuffered channels and sleep 0 to 50 microseconds between round
     * trips, so that Ms keep going idle with timers pending, waking at deadlines and taking each
     * other's due timers. Every sleeper must wake (no lost wake-up): each round has to finish,
     * its sum checked, within a bound far above its run time.
     */
    @Test
    void sleepsBetweenHandoffsNeverLoseAWakeup() throws Exception {
        SplittableRandom rnd = new SplittableRandom(17);
        int rounds = 100;
        for (int r = 0; r < rounds; r++) {
            int procs = 1 + rnd.nextInt(4);
            int pairs = 1 + rnd.nextInt(4);
            int trips = 500;
            long seed = rnd.nextLong();
            try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
                CompletableFuture<Long> f =
                        CompletableFuture.supplyAsync(() -> rt.run(() -> pairsPingPongWithSleeps(pairs, trips, seed)));
                long sum = f.get(60, TimeUnit.SECONDS);
                assertEquals((long) pairs * trips * (trips - 1) / 2, sum, "round " + r + " procs " + procs);
            }
        }
    }

    private static long pairsPingPongWithSleeps(int pairs, int trips, long seed) {
        Chan<Long> results = Chan.make(pairs);
        for (int k = 0; k < pairs; k++) {
            SplittableRandom rnd = new SplittableRandom(seed + k);
            Chan<Long> ping = Chan.make(0);
            Chan<Long> pong = Chan.make(0);
            long[] naps = new long[trips];
            for (int i = 0; i < trips; i++) {
                naps[i] = rnd.nextInt(51) * 1_000L;
            }
            Go.go(() -> {
                for (int i = 0; i < trips; i++) {
                    Long v = ping.recv();
                    Go.sleep(Duration.ofNanos(naps[i]));
                    pong.send(v);
                }
            });
            Go.go(() -> {
                long sum = 0;
                for (long i = 0; i < trips; i++) {
                    ping.send(i);
                    sum += pong.recv();
                    Go.sleep(Duration.ofNanos(naps[(int) i] / 2));
                }
                results.send(sum);
            });
        }
        long total = 0;
        for (int k = 0; k < pairs; k++) {
            total += results.recv();
        }
        return total;
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
