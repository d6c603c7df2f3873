package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import dev.jgo.sync.Chan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * close() is quiet and leaves nothing behind (issue 16, item 9): goroutines it abandons are
 * reported once through System.Logger, never as panics; no preempt request stays counted in the
 * JVM-wide hint; Ms that exited leave the M list.
 */
@Timeout(60)
class CloseReportTest {

    @Test
    void closeReportsLeftoversOnceNeverAsPanicsAndLeavesNoPendingPreemption() throws Exception {
        Assumptions.assumeFalse(Carrier.preemptPending(), "another runtime of this JVM has a preempt request pending");
        PrintStream systemErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GoRuntime rt = GoRuntime.builder().name("quietclose").procs(2).build();
        Sched sched = ((CoreRuntime) rt).sched();
        try (LogCapture log = new LogCapture()) {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CountDownLatch ready = new CountDownLatch(4);
            Chan<Integer> never = Chan.make(0);
            for (int i = 0; i < 2; i++) {
                rt.go(() -> {
                    ready.countDown();
                    never.recv();
                });
            }
            rt.go(
                    () -> { // fails once close began, as Go.sleep does then ("cannot sleep: runtime is closed")
                        ready.countDown();
                        while (!sched.shutdown) {
                            Thread.onSpinWait(); // no runtime call: sysmon asks it to yield, in vain
                        }
                        throw new IllegalStateException("runtime is closed");
                    });
            rt.go(() -> Go.blocking(
                    () -> { // close interrupts its carrier
                        ready.countDown();
                        Thread.sleep(60_000);
                        return null;
                    }));
            assertTrue(ready.await(10, TimeUnit.SECONDS), () -> ready.getCount() + " not ready");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Carrier.preemptPending() && System.nanoTime() < end) {
                Thread.sleep(5); // until sysmon asked the spinning goroutine to yield
            }
            assertTrue(Carrier.preemptPending(), "the spinning goroutine was asked to yield");
            Thread.sleep(100); // the receivers park
            rt.close();
            System.setErr(systemErr);
            String printed = err.toString(StandardCharsets.UTF_8);
            assertFalse(printed.contains("panic"), printed);
            assertFalse(printed.contains("InterruptedException"), printed);
            List<LogRecord> reports = log.find(Level.WARNING, "closed with");
            assertEquals(
                    1,
                    reports.size(),
                    () -> "one report: "
                            + log.all().stream().map(LogRecord::getMessage).toList());
            String msg = reports.get(0).getMessage();
            assertTrue(msg.contains("'quietclose'") && msg.contains("2 chan receive"), msg);
            assertTrue(msg.contains("ended with an exception after close began"), msg);
            assertFalse(Carrier.preemptPending(), "no preempt request of the closed runtime stays counted");
            rt.close(); // idempotent: no second report
            assertEquals(1, log.find(Level.WARNING, "closed with").size());
        } finally {
            System.setErr(systemErr);
            rt.close();
        }
    }

    @Test
    void closeWithNothingLeftReportsNothing() {
        GoRuntime rt = GoRuntime.builder().name("cleanclose").procs(2).build();
        try (LogCapture log = new LogCapture()) {
            assertEquals(3, rt.run(() -> 1 + 2));
            rt.close();
            assertEquals(List.of(), log.find(Level.INFO, "cleanclose"));
        } finally {
            rt.close();
        }
    }

    /** A locked goroutine that exits takes its M with it (Go's rule); the M list must not keep it. */
    @Test
    void msThatExitLeaveTheMList() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Sched sched = ((CoreRuntime) rt).sched();
            for (int i = 0; i < 60; i++) {
                rt.run(() -> {
                    Chan<Integer> done = Chan.make(0);
                    Go.go(() -> {
                        Go.lockOSThread(); // exits locked: its M exits too
                        done.send(1);
                    });
                    return done.recv();
                });
            }
            int listed;
            int counted;
            int exiting;
            sched.lock.lock();
            try {
                listed = sched.allm.size();
                counted = Ms.mcount(sched);
                exiting = sched.exiting.size();
            } finally {
                sched.lock.unlock();
            }
            assertEquals(counted, listed, "allm lists exactly the Ms that have not exited");
            assertTrue(listed <= 10, "allm holds " + listed + " Ms after 60 exited");
            assertTrue(exiting <= 10, "exiting holds " + exiting + " Ms");
        }
    }
}
