package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Mutex;
import dev.jgo.sync.WaitGroup;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * The hand-off fast path under load: pairs of goroutines hand values to each other over
 * unbuffered channels (each hand-off readies the partner into runnext and parks), mixed with
 * Mutex hand-overs, yields and goroutine exits, 10^6 hand-offs a run in all, with random
 * GOMAXPROCS and a randomized scheduler half of the time. A lost wake-up leaves a goroutine
 * parked forever: the run never returns and the {@code @Timeout} fails the test (or checkdead
 * reports a deadlock). Rounds scale with {@code -Djgo.stress=N}.
 */
@Timeout(300)
class HandoffStressTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);
    private static final int HANDOFFS = 1_000_000;

    @RepeatedTest(3)
    void millionHandoffsNoLostWakeup() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int procs = r.nextInt(1, 5);
        boolean randomize = r.nextBoolean();
        int pairs = r.nextInt(1, 9);
        int perPair = HANDOFFS * STRESS / pairs / 2; // two hand-offs per round trip
        try (GoRuntime rt =
                GoRuntime.builder().procs(procs).randomizeScheduler(randomize).build()) {
            long[] got = rt.run(() -> {
                Mutex mu = new Mutex();
                long[] shared = new long[2]; // round trips, values echoed; under mu
                WaitGroup wg = new WaitGroup();
                wg.add(pairs);
                for (int k = 0; k < pairs; k++) {
                    int pair = k;
                    Go.go(() -> {
                        Chan<Integer> ping = Chan.make(0);
                        Chan<Integer> pong = Chan.make(0);
                        Go.go(() -> {
                            for (int i = 0; i < perPair; i++) {
                                int v = ping.recv();
                                if ((v & 1023) == pair) {
                                    Go.yield();
                                }
                                pong.send(v + 1);
                            }
                        });
                        long echoed = 0;
                        for (int i = 0; i < perPair; i++) {
                            ping.send(i);
                            echoed += pong.recv() - 1;
                            if ((i & 255) == 0) {
                                mu.lock();
                                shared[0] += 256;
                                mu.unlock();
                            }
                        }
                        mu.lock();
                        shared[1] += echoed;
                        mu.unlock();
                        wg.done();
                    });
                }
                wg.await();
                return shared;
            });
            long rounds = (perPair + 255) / 256 * 256L * pairs;
            assertEquals(rounds, got[0], "procs=" + procs + " randomize=" + randomize + " pairs=" + pairs);
            assertEquals((long) perPair * (perPair - 1) / 2 * pairs, got[1], "values echoed");
        }
    }
}
