package dev.jgo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class JoinTest {

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void zeroPartiesIsDoneAtOnce() {
        Join j = new Join(0);
        assertTrue(j.isDone());
        assertEquals(0, j.await());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void badArgumentsAndExtraArrivalsFail() {
        assertThrows(IllegalArgumentException.class, () -> new Join(-1));
        Join j = new Join(1);
        j.arrive(5);
        assertThrows(IllegalStateException.class, () -> j.arrive(1));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void platformThreadWaiterWakesAfterTheLastArrival() throws Exception {
        Join j = new Join(3);
        AtomicLong got = new AtomicLong(-1);
        Thread waiter = Thread.ofPlatform().start(() -> got.set(j.await()));
        for (int i = 1; i <= 3; i++) {
            Thread.sleep(5);
            assertFalse(j.isDone());
            j.arrive(i);
        }
        waiter.join();
        assertEquals(6, got.get());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aSecondWaiterIsRejected() throws Exception {
        Join j = new Join(1);
        Thread first = Thread.ofPlatform().start(j::await);
        while (first.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        assertThrows(IllegalStateException.class, j::await);
        j.arrive(1);
        first.join();
    }

    /** Races the park's unlock function against the last arrival many times (step 2 of the protocol). */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void goroutineWaiterNeverMissesTheLastArrival() {
        int rounds = 20_000 * Integer.getInteger("jgo.stress", 1);
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            long total = rt.run(() -> {
                long sum = 0;
                for (int r = 0; r < rounds; r++) {
                    Join j = new Join(2);
                    long v = r;
                    Go.go(() -> j.arrive(v));
                    Go.go(() -> j.arrive(1));
                    sum += j.await();
                }
                return sum;
            });
            assertEquals(Workload.triangle(rounds) + rounds, total);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void goroutinesCanReportToAThreadOutsideTheRuntime() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Join j = new Join(100);
            for (int i = 0; i < 100; i++) {
                long v = i;
                rt.go(() -> j.arrive(v));
            }
            assertEquals(Workload.triangle(100), j.await());
        }
    }
}
