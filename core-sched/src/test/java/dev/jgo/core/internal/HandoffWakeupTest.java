package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.RuntimeView.Counters;
import dev.jgo.sync.Chan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The wake-up traffic of a goroutine hand-off: a two-goroutine ping-pong over unbuffered channels
 * with two Ps readies the partner into the readier's runnext, and the readier parks at once, so
 * the partner runs on the same M and no other M is needed (Go's ready + wakep, with the woken M
 * finding nothing to steal, is what this guards against).
 */
@Timeout(120)
class HandoffWakeupTest {

    private static final int ROUND_TRIPS = 100_000;

    @Test
    void pingPongWakesAlmostNoM() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            rt.run(() -> pingPong(1_000)); // start-up: the second M exists and has gone idle
            Counters before = rt.view().counters();
            long sum = rt.run(() -> pingPong(ROUND_TRIPS));
            Counters after = rt.view().counters();
            assertEquals((long) ROUND_TRIPS * (ROUND_TRIPS - 1) / 2, sum);
            long woken = after.mWakeups() - before.mWakeups();
            long empty = after.emptyWakeups() - before.emptyWakeups();
            long rounds = after.spinRounds() - before.spinRounds();
            double perRoundTrip = (double) woken / ROUND_TRIPS;
            System.getLogger("dev.jgo")
                    .log(
                            System.Logger.Level.INFO,
                            "ping-pong x{0}: Ms woken {1}, empty wake-ups {2}, spin rounds {3}",
                            ROUND_TRIPS,
                            woken,
                            empty,
                            rounds);
            assertTrue(perRoundTrip < 0.05, "Ms woken per round trip: " + perRoundTrip + " (" + woken + ")");
        }
    }

    private static long pingPong(int n) {
        Chan<Long> ping = Chan.make(0);
        Chan<Long> pong = Chan.make(0);
        Go.go(() -> {
            for (int i = 0; i < n; i++) {
                pong.send(ping.recv());
            }
        });
        long sum = 0;
        for (long i = 0; i < n; i++) {
            ping.send(i);
            sum += pong.recv();
        }
        return sum;
    }
}
