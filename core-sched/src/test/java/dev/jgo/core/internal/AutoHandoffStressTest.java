package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.WaitGroup;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Automatic hand-off of a P whose carrier blocks in an unannotated JDK call (M "Automatic hand-off"). */
@Timeout(120)
class AutoHandoffStressTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    /** With one P, an unannotated Thread.sleep does not stop the other goroutines. */
    @Test
    void unannotatedSleepDoesNotStopOthers() {
        try (GoRuntime rt =
                GoRuntime.builder().procs(1).autoHandoff(Duration.ofMillis(1)).build()) {
            long others = rt.run(() -> {
                AtomicLong progressed = new AtomicLong();
                Chan<Boolean> stop = Chan.make(1);
                Go.go(() -> {
                    while (stop.tryRecv() == null) {
                        progressed.incrementAndGet();
                        Go.yield();
                    }
                });
                Go.yield(); // let it start
                long before = progressed.get();
                Thread.sleep(300); // blocks the carrier, not annotated with Go.blocking
                long during = progressed.get() - before;
                stop.send(true);
                return during;
            });
            Sysmon sm = ((CoreRuntime) rt).sched().sysmon;
            assertTrue(
                    others > 0,
                    "the other goroutine ran while the carrier slept: " + others + " handoffs=" + sm.autoHandoffs
                            + " preemptions=" + sm.preemptions + " sleeping=" + sm.sleeping);
            assertTrue(((CoreRuntime) rt).sched().sysmon.autoHandoffs >= 1);
        }
    }

    /** Off by default: the same program keeps the P (Go's behaviour). */
    @Test
    void offByDefault() {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            rt.run(() -> {
                Thread.sleep(50);
                return null;
            });
            assertEquals(0, ((CoreRuntime) rt).sched().sysmon.autoHandoffs);
        }
        assertThrows(IllegalArgumentException.class, () -> GoRuntime.builder().autoHandoff(Duration.ofMillis(-1)));
    }

    /**
     * Many goroutines mixing unannotated blocking, channel traffic, spawns and yields, with Ps
     * taken and handed back all the time. A run queue with two owners trips the status CAS
     * checks or loses goroutines; either fails the sums or hangs into the timeout.
     */
    @Test
    void ownershipSurvivesConstantHandoffs() {
        for (int procs : new int[] {1, 2}) {
            try (GoRuntime rt = GoRuntime.builder()
                    .procs(procs)
                    .randomizeScheduler(true)
                    .autoHandoff(Duration.ofNanos(50_000))
                    .build()) {
                for (int iter = 0; iter < 3 * STRESS; iter++) {
                    int n = 200;
                    long got = rt.run(() -> {
                        Chan<Long> results = Chan.make(16);
                        WaitGroup wg = new WaitGroup();
                        wg.add(n);
                        for (int i = 0; i < n; i++) {
                            long v = i;
                            Go.go(() -> {
                                ThreadLocalRandom r = ThreadLocalRandom.current();
                                for (int k = 0; k < 5; k++) {
                                    switch (r.nextInt(4)) {
                                        case 0 -> sleepQuietly(r.nextInt(300));
                                        case 1 -> Go.yield();
                                        case 2 -> {
                                            Chan<Integer> c = Chan.make(0);
                                            Go.go(() -> c.send(1));
                                            c.recv();
                                        }
                                        default -> Go.checkpoint();
                                    }
                                }
                                results.send(v);
                                wg.done();
                            });
                        }
                        long sum = 0;
                        for (int i = 0; i < n; i++) {
                            sum += results.recv();
                        }
                        wg.await();
                        return sum;
                    });
                    assertEquals((long) n * (n - 1) / 2, got);
                }
            }
        }
    }

    private static void sleepQuietly(int micros) {
        try {
            Thread.sleep(0, micros * 1000 % 1_000_000);
            Thread.sleep(micros / 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
