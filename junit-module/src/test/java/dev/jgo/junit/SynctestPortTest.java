package dev.jgo.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Cond;
import dev.jgo.sync.Mutex;
import dev.jgo.sync.Received;
import dev.jgo.sync.Select;
import dev.jgo.sync.WaitGroup;
import dev.jgo.time.Time;
import dev.jgo.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ports of the tests of Go's {@code internal/synctest} ({@code synctest_test.go}), each as a
 * {@link GoTest}: the runtime is the bubble, {@code Go.awaitBlocked} is {@code synctest.Wait}.
 * Tests about goroutines or channels crossing a bubble's border have no counterpart (in jgo the
 * whole runtime is the bubble), nor have those of Go 1.23's synchronous timer channels (a zero
 * timer's value is there once the timer has run, not at once).
 */
@Timeout(60)
class SynctestPortTest {
    static final Instant START = Instant.parse("2000-01-01T00:00:00Z");

    @GoTest
    void now() {
        assertEquals(START, Time.now());
        Chan<Instant> seen = Chan.make(1);
        Go.go(() -> seen.send(Time.now())); // new goroutines see the same clock
        Go.sleep(Duration.ofSeconds(1));
        assertEquals(START, seen.recv());
        assertEquals(START.plusSeconds(1), Time.now());
    }

    @GoTest
    void runEmpty() {}

    @GoTest
    void simpleWait() {
        Go.awaitBlocked();
    }

    @GoTest
    void goroutineWait() {
        Go.go(() -> {});
        Go.awaitBlocked();
    }

    /** A chain of goroutines handing a count down; Wait returns once the last one is done. */
    @GoTest
    void waitForAChainOfGoroutines() {
        AtomicBoolean done = new AtomicBoolean();
        Chan<Integer> ch = Chan.make(0);
        Runnable[] f = new Runnable[1];
        f[0] = () -> {
            int count = ch.recv();
            if (count == 0) {
                done.set(true);
            } else {
                Go.go(f[0]);
                ch.send(count - 1);
            }
        };
        Go.go(f[0]);
        ch.send(100);
        Go.awaitBlocked();
        assertTrue(done.get());
    }

    @GoTest
    void timerReadBeforeDeadline() {
        Instant start = Time.now();
        Timer tm = Time.newTimer(Duration.ofSeconds(5));
        tm.c().recv();
        assertEquals(Duration.ofSeconds(5), Duration.between(start, Time.now()));
    }

    @GoTest
    void timerReadAfterDeadline() {
        Duration delay = Duration.ofSeconds(1);
        Instant want = Time.now().plus(delay);
        Timer tm = Time.newTimer(delay);
        Go.sleep(delay.multipliedBy(2));
        assertEquals(want, tm.c().recv());
    }

    @GoTest
    void timerReset() {
        Instant start = Time.now();
        Timer tm = Time.newTimer(Duration.ofSeconds(1));
        assertEquals(start.plusSeconds(1), tm.c().recv());
        tm.reset(Duration.ofSeconds(2));
        assertEquals(start.plusSeconds(1 + 2), tm.c().recv());
        tm.reset(Duration.ofSeconds(3));
        Go.sleep(Duration.ofSeconds(1));
        tm.reset(Duration.ofSeconds(3));
        assertEquals(start.plusSeconds(1 + 2 + 4), tm.c().recv());
    }

    /** The runtime's clock reaches goroutines started by a timer function. */
    @GoTest
    void timeAfter() {
        AtomicInteger i = new AtomicInteger();
        Time.afterFunc(Duration.ofSeconds(1), () -> {
            i.incrementAndGet(); // 1
            Go.go(() -> {
                Go.sleep(Duration.ofSeconds(1));
                i.incrementAndGet(); // 2
            });
        });
        Go.sleep(Duration.ofSeconds(3));
        Go.awaitBlocked();
        assertEquals(2, i.get());
    }

    /** A timer left pending when the main goroutine returns never runs: the clock stops. */
    @Test
    void timerAfterTheRunEnds() {
        AtomicBoolean ran = new AtomicBoolean();
        try (GoRuntime rt = GoRuntime.builder().procs(1).virtualTime(true).build()) {
            rt.run(() -> {
                Time.afterFunc(Duration.ofSeconds(1), () -> ran.set(true));
            });
        }
        assertFalse(ran.get());
    }

    /**
     * Timers that fired at the same instant are chosen between at random by a select. (jgo fires
     * timers due at one instant in queue order, so both have fired before the select here; in
     * Go the firing order itself is shuffled.)
     */
    @GoTest
    void timerNondeterminism() {
        boolean seen1 = false;
        boolean seen2 = false;
        for (int i = 0; i < 1000 && !(seen1 && seen2); i++) {
            Timer tm1 = Time.newTimer(Duration.ofNanos(1));
            Timer tm2 = Time.newTimer(Duration.ofNanos(1));
            Go.sleep(Duration.ofNanos(1));
            int[] which = new int[1];
            Select.create()
                    .recv(tm1.c(), v -> which[0] = 1)
                    .recv(tm2.c(), v -> which[0] = 2)
                    .select();
            seen1 |= which[0] == 1;
            seen2 |= which[0] == 2;
            Go.awaitBlocked();
        }
        assertTrue(seen1 && seen2, "seen timer1: " + seen1 + ", timer2: " + seen2);
    }

    /** A timer's value stays readable, stamped with the time it fired, though that is past. */
    @GoTest
    void timerRanInPast() {
        Duration delay = Duration.ofSeconds(1);
        Instant want = Time.now().plus(delay);
        Timer tm = Time.newTimer(delay);
        Go.sleep(delay.multipliedBy(2));
        Received<Instant> got = tm.c().tryRecv();
        assertNotNull(got, "the timer's channel is not readable");
        assertEquals(want, got.value());
    }

    /** A zero afterFunc runs without waiting for every goroutine to block. */
    @GoTest
    void afterFuncRunsImmediately() {
        AtomicBoolean b = new AtomicBoolean();
        Time.afterFunc(Duration.ZERO, () -> b.set(true));
        while (!b.get()) {
            Go.yield();
        }
    }

    @Test
    void deadlockRoot() {
        try (GoRuntime rt = GoRuntime.builder().procs(1).virtualTime(true).build()) {
            assertThrows(
                    DeadlockException.class,
                    () -> rt.run(() -> {
                        Select.create().select(); // select {}
                    }));
        }
    }

    @GoTest
    void cond() {
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        Instant start = Time.now();
        Duration waitTime = Duration.ofMillis(1);
        Go.go(() -> {
            Go.sleep(waitTime); // signal the cond
            mu.lock();
            cond.signal();
            mu.unlock();
            Go.sleep(waitTime); // broadcast to the cond
            mu.lock();
            cond.broadcast();
            mu.unlock();
        });
        mu.lock();
        cond.await();
        mu.unlock();
        assertEquals(waitTime, Duration.between(start, Time.now()));

        AtomicBoolean waiterDone = new AtomicBoolean();
        Go.go(() -> {
            mu.lock();
            cond.await();
            mu.unlock();
            waiterDone.set(true);
        });
        mu.lock();
        cond.await();
        mu.unlock();
        Go.awaitBlocked();
        assertTrue(waiterDone.get());
        assertEquals(waitTime.multipliedBy(2), Duration.between(start, Time.now()));
    }

    /**
     * A producer that sleeps between values, read by another goroutine until it has three (Go's
     * push iterator; the consumer's break is a closed channel here).
     */
    @GoTest
    void iteratorPush() {
        List<Instant> got = new ArrayList<>();
        Chan<Instant> seq = Chan.make(0);
        Chan<Boolean> done = Chan.make(0);
        Go.go(() -> {
            boolean[] stop = {false};
            while (!stop[0]) {
                Select.create()
                        .send(seq, Time.now(), () -> {})
                        .recv(done, v -> stop[0] = true)
                        .select();
                if (!stop[0]) {
                    Go.sleep(Duration.ofSeconds(1));
                }
            }
        });
        Go.go(() -> {
            while (got.size() < 3) {
                got.add(seq.recv());
            }
            done.close();
        });
        List<Instant> want =
                List.of(Time.now(), Time.now().plusSeconds(1), Time.now().plusSeconds(2));
        Go.sleep(Duration.ofSeconds(5));
        Go.awaitBlocked();
        assertEquals(want, got);
    }

    @GoTest
    void waitGroupInBubble() {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        Duration delay = Duration.ofSeconds(1);
        Go.go(() -> {
            Go.sleep(delay);
            wg.done();
        });
        Instant start = Time.now();
        wg.await();
        assertEquals(delay, Duration.between(start, Time.now()));
    }
}
