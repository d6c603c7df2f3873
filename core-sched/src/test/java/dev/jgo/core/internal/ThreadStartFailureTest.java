package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.NetPoller;
import dev.jgo.sync.Chan;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mockito.Mockito;

/**
 * Failures of the runtime's own threads (issue 16 item 10, issue 18 item 8): a carrier thread
 * the JVM cannot start is back-pressure, an error in sysmon or the network poll is reported once
 * with its cause, and nothing ends silently or hangs. The operating system's thread limit is
 * injected through {@link Sched#threadStarter}.
 */
@Timeout(90)
class ThreadStartFailureTest {

    /** A starter that refuses the next {@code left} starts as the JVM does at the OS limit. */
    private static Consumer<Thread> failing(AtomicInteger left, AtomicLong lastFailure) {
        return t -> {
            if (left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                lastFailure.set(System.nanoTime());
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory (injected)");
            }
            t.start();
        };
    }

    @Test
    void blockingLongGoroutinesSurviveFailedThreadStarts() {
        try (LogCapture log = new LogCapture();
                GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Sched sched = ((CoreRuntime) rt).sched();
            AtomicInteger left = new AtomicInteger();
            sched.threadStarter = failing(left, new AtomicLong());
            int n = 200;
            int sum = rt.run(() -> {
                CountDownLatch release = new CountDownLatch(1);
                Chan<Integer> results = Chan.make(n);
                left.set(30); // from here, the next 30 thread starts fail
                for (int i = 0; i < n; i++) {
                    Go.go(() -> {
                        Go.blockingLong(() -> release.await(30, TimeUnit.SECONDS));
                        results.send(1);
                    });
                }
                Go.go(release::countDown);
                int got = 0;
                for (int i = 0; i < n; i++) {
                    got += results.recv();
                }
                return got;
            });
            assertEquals(n, sum);
            assertEquals(0, left.get(), "every injected failure was met");
            assertTrue(sched.sysmon.isAlive(), "sysmon survived");
            assertEquals(
                    1,
                    log.find(Level.WARNING, "cannot start a carrier thread").size(),
                    () -> "reported once: " + log.all().size() + " records");
            assertEquals(7, rt.run(() -> 7), "the runtime still runs goroutines");
        }
    }

    /**
     * A failed start still in flight while another start succeeds belongs to the same burst: the
     * success must not end the burst under it, or that failure is reported a second time (the
     * cause of "reported once: 2 records" above). The burst's last failure is held until a later
     * start succeeded and the burst would have been ended (bounded: 2 s), then fails.
     */
    @Test
    void aFailureInFlightDuringASuccessStaysInItsBurst() {
        for (int round = 0; round < 3; round++) {
            try (LogCapture log = new LogCapture();
                    GoRuntime rt = GoRuntime.builder().procs(2).build()) {
                Sched sched = ((CoreRuntime) rt).sched();
                AtomicInteger left = new AtomicInteger();
                AtomicInteger started = new AtomicInteger();
                sched.threadStarter = t -> {
                    int n = left.getAndUpdate(k -> Math.max(0, k - 1));
                    if (n == 1) { // the burst's last failure, still in flight while others start
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                        while ((started.get() == 0 || sched.mstartReported.get()) && System.nanoTime() < deadline) {
                            LockSupport.parkNanos(1_000_000);
                        }
                    }
                    if (n > 0) {
                        throw new OutOfMemoryError("unable to create native thread (injected)");
                    }
                    t.start();
                    started.incrementAndGet();
                };
                int n = 50;
                int sum = rt.run(() -> {
                    CountDownLatch release = new CountDownLatch(1);
                    Chan<Integer> results = Chan.make(n);
                    left.set(5);
                    for (int i = 0; i < n; i++) {
                        Go.go(() -> {
                            Go.blockingLong(() -> release.await(30, TimeUnit.SECONDS));
                            results.send(1);
                        });
                    }
                    Go.go(release::countDown);
                    int got = 0;
                    for (int i = 0; i < n; i++) {
                        got += results.recv();
                    }
                    return got;
                });
                assertEquals(n, sum);
                assertEquals(0, left.get(), "every injected failure was met");
                assertTrue(started.get() > 0, "threads started after the failures");
                assertEquals(
                        1,
                        log.find(Level.WARNING, "cannot start a carrier thread").size(),
                        "one burst, reported once (round " + round + ")");
            }
        }
    }

    @Test
    void aPIsHandedOffWithin500msOnceThreadsStartAgain() throws Exception {
        for (int round = 0; round < 3; round++) {
            try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
                Sched sched = ((CoreRuntime) rt).sched();
                AtomicInteger left = new AtomicInteger();
                AtomicLong lastFailure = new AtomicLong();
                sched.threadStarter = failing(left, lastFailure);
                CountDownLatch release = new CountDownLatch(1);
                AtomicLong ran = new AtomicLong();
                CountDownLatch done = new CountDownLatch(1);
                rt.go(() -> {
                    left.set(5); // from here the next 5 thread starts fail
                    Go.go(
                            () -> { // queued on this P, which the call below holds
                                ran.set(System.nanoTime());
                                done.countDown();
                            });
                    Go.blocking(() -> release.await(30, TimeUnit.SECONDS)); // sysmon hands the P off
                });
                boolean handedOff = done.await(10, TimeUnit.SECONDS);
                release.countDown();
                assertTrue(handedOff, "the P was handed off while the call blocks");
                assertEquals(0, left.get());
                long afterLastFailure = TimeUnit.NANOSECONDS.toMillis(ran.get() - lastFailure.get());
                assertTrue(afterLastFailure < 500, "ran " + afterLastFailure + " ms after the last failed start");
                assertTrue(sched.sysmon.isAlive(), "sysmon survived");
            }
        }
    }

    /** An error sysmon cannot absorb ends the runtime, reported once, and run fails with it. */
    @Test
    void aSysmonFailureEndsRunWithItsCause() {
        try (LogCapture log = new LogCapture();
                GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            Sched sched = ((CoreRuntime) rt).sched();
            sched.threadStarter = t -> {
                if (Thread.currentThread() instanceof Sysmon) {
                    throw new IllegalStateException("injected sysmon failure");
                }
                t.start();
            };
            long t0 = System.nanoTime();
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> rt.run(() -> Go.blocking(
                            () -> { // sysmon retakes this P: its startm fails
                                Thread.sleep(8_000);
                                return null;
                            })));
            assertEquals("injected sysmon failure", e.getMessage());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 6_000, "run failed at once, not after the call: " + ms + " ms");
            assertEquals(1, log.find(Level.SEVERE, "internal failure in sysmon").size());
            assertTrue(sched.fatal == e, "the runtime is ended with that cause");
        }
    }

    /** The network poll's failures are reported once per burst with their cause, never spun on. */
    @Test
    void aFailingNetworkPollIsReportedOncePerBurst() throws Exception {
        NetPoller np = Mockito.mock(NetPoller.class);
        IOException boom = new IOException("injected poll failure");
        Mockito.when(np.poll(Mockito.anyLong()))
                .thenThrow(boom)
                .thenThrow(boom)
                .thenReturn(List.of())
                .thenThrow(boom);
        try (LogCapture log = new LogCapture()) {
            assertNull(Netpoll.netpoll(np, 0), "a failed poll reads as 'another thread polls'");
            assertNull(Netpoll.netpoll(np, 0));
            assertEquals(1, log.find(Level.SEVERE, "injected poll failure").size(), "once for the burst");
            assertEquals(
                    boom, log.find(Level.SEVERE, "injected poll failure").get(0).getThrown());
            assertEquals(List.of(), Netpoll.netpoll(np, 0));
            assertNull(Netpoll.netpoll(np, 0));
            assertEquals(2, log.find(Level.SEVERE, "injected poll failure").size(), "again for a new burst");
        }
    }
}
