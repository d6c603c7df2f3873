package dev.jgo.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Select;
import dev.jgo.sync.WaitGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Builder.seed: a planted race is found by trying seeds, and its seed replays it exactly.
 *
 * <p>The race: two workers add to a shared counter, each after a {@code Select} over {@link
 * #CASES} ready channels. A worker whose select picks case 0 takes the slow path (read, yield,
 * write), so an update of the other worker that runs in between is lost. Which case a select
 * picks is the runtime's random choice, so about one seed in {@code CASES} loses an update.
 */
@Timeout(120)
class SeededScheduleTest {
    static final int CASES = 16;
    static final int SEEDS = 200;

    /** What one run saw: the counter and every select's choice, in order. */
    record Outcome(int counter, List<String> trace) {}

    static Outcome racyProgram(long seed) {
        try (GoRuntime rt =
                GoRuntime.builder().procs(1).virtualTime(true).seed(seed).build()) {
            return rt.run(() -> {
                int[] counter = {0};
                List<String> trace = new ArrayList<>();
                WaitGroup wg = new WaitGroup();
                for (int w = 0; w < 2; w++) {
                    String name = "w" + w;
                    wg.add(1);
                    Go.go(() -> {
                        for (int round = 0; round < 3; round++) {
                            Select s = Select.create();
                            int[] picked = {-1};
                            for (int c = 0; c < CASES; c++) {
                                Chan<Integer> ready = Chan.make(1);
                                ready.send(c);
                                s.recv(ready, v -> picked[0] = v);
                            }
                            s.select();
                            trace.add(name + ":" + picked[0]);
                            if (picked[0] == 0) {
                                int v = counter[0]; // the planted race: read, yield, write
                                Go.yield();
                                counter[0] = v + 1;
                            } else {
                                counter[0]++;
                            }
                            Go.sleep(Duration.ofMillis(10)); // virtual: the workers step together
                        }
                        wg.done();
                    });
                }
                wg.await();
                return new Outcome(counter[0], trace);
            });
        }
    }

    @Test
    void aPlantedRaceIsFoundBySeedsAndReplayedByItsSeed() {
        long failing = Long.MIN_VALUE;
        long passing = Long.MIN_VALUE;
        for (long seed = 1; seed <= SEEDS && (failing == Long.MIN_VALUE || passing == Long.MIN_VALUE); seed++) {
            Outcome o = racyProgram(seed);
            if (o.counter() != 6 && failing == Long.MIN_VALUE) {
                failing = seed;
            } else if (o.counter() == 6 && passing == Long.MIN_VALUE) {
                passing = seed;
            }
        }
        assertNotEquals(Long.MIN_VALUE, failing, "no seed of " + SEEDS + " lost an update");
        assertNotEquals(Long.MIN_VALUE, passing, "every seed lost an update");

        Outcome first = racyProgram(failing);
        assertNotEquals(6, first.counter());
        int reproduced = 0;
        for (int i = 0; i < 10; i++) {
            Outcome again = racyProgram(failing);
            if (again.counter() != 6) {
                reproduced++;
            }
            assertEquals(first, again, "seed " + failing + " gave another interleaving on run " + i);
        }
        assertEquals(10, reproduced, "the failing seed reproduced the lost update " + reproduced + "/10 times");

        Outcome ok = racyProgram(passing);
        for (int i = 0; i < 10; i++) {
            assertEquals(ok, racyProgram(passing), "seed " + passing + " gave another interleaving");
        }
    }

    /** Without the time slice, a loop that only checkpoints yields by the operation budget. */
    @Test
    @Timeout(60)
    void aCheckpointLoopYieldsUnderASeed() {
        try (GoRuntime rt = GoRuntime.builder().procs(1).seed(7).build()) {
            int spins = rt.run(() -> {
                java.util.concurrent.atomic.AtomicBoolean flag = new java.util.concurrent.atomic.AtomicBoolean();
                Go.go(() -> flag.set(true));
                int n = 0;
                while (!flag.get()) {
                    Go.checkpoint();
                    n++;
                }
                return n;
            });
            assertTrue(spins > 0 && spins <= 1000, "spun " + spins + " times before the other goroutine ran");
        }
    }

    @Test
    void differentSeedsMakeDifferentChoices() {
        List<List<String>> traces = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            traces.add(racyProgram(seed).trace());
        }
        assertTrue(traces.stream().distinct().count() > 1, "five seeds, one schedule: " + traces);
    }
}
