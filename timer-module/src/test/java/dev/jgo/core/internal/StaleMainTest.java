package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.time.Time;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A main goroutine that ends before {@code run} has registered it leaves no pending run behind
 * (NewProc.newprocExternal, Schedule.goexit0). Before, the late registration stayed in {@code mains} for
 * good, so checkdead saw a pending run while every goroutine slept: under virtual time the clock
 * jumped a day between two runs with no main goroutine (VirtualTimeTest's
 * theClockStopsWhenMainReturns failed so once under load). The thread-start seam holds the
 * caller of {@code run} inside its wakep, as a descheduled caller would be.
 */
@Timeout(300)
class StaleMainTest {
    static final int ROUNDS = 10 * Integer.getInteger("jgo.stress", 1);
    static final Instant EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    @Test
    void aMainThatEndsBeforeItsRegistrationLeavesNoPendingRun() throws Exception {
        Thread[] callerThread = new Thread[1];
        ExecutorService caller = Executors.newSingleThreadExecutor(r -> callerThread[0] = new Thread(r, "caller"));
        try {
            for (int i = 0; i < ROUNDS; i++) {
                GoRuntime rt = GoRuntime.builder().procs(1).virtualTime(true).build();
                Sched sched = ((CoreRuntime) rt).sched();
                sched.threadStarter = t -> {
                    t.start();
                    if (Thread.currentThread() == callerThread[0]) {
                        try {
                            Thread.sleep(100); // the caller of run, descheduled before it registers
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                };
                try {
                    caller.submit(() -> rt.run(() -> {
                                Go.go(() -> Go.sleep(Duration.ofDays(1)));
                            }))
                            .get(30, TimeUnit.SECONDS);
                    assertEquals(0, sched.mains.size(), "round " + i + ": a finished run is still registered");
                    Instant after = caller.submit(() -> rt.run(Time::now)).get(30, TimeUnit.SECONDS);
                    assertEquals(EPOCH, after, "round " + i + ": the clock moved with no main goroutine");
                } finally {
                    rt.close();
                }
            }
        } finally {
            caller.shutdownNow();
        }
    }
}
