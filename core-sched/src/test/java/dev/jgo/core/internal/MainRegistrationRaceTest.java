package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A goroutine that throws before {@code run} has registered its main goroutine must still fail
 * that {@code run} (NewProc.newprocExternal reads {@code fatal} after the registration): before,
 * the panic found no pending run to fail, the Ms exited, and {@code run} waited forever. The
 * thread-start seam holds the caller of {@code run} inside its wakep for a while, as a
 * descheduled caller would be, so the main goroutine runs and the panic happens first.
 */
@Timeout(300)
class MainRegistrationRaceTest {
    static final int ROUNDS = 20 * Integer.getInteger("jgo.stress", 1);

    @Test
    void aPanicRightAfterStartFailsTheRun() throws Exception {
        Thread[] callerThread = new Thread[1];
        ExecutorService caller = Executors.newSingleThreadExecutor(r -> callerThread[0] = new Thread(r, "caller"));
        try {
            for (int i = 0; i < ROUNDS; i++) {
                GoRuntime rt = GoRuntime.builder().procs(2).build();
                ((CoreRuntime) rt).sched().threadStarter = t -> {
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
                    Future<?> f = caller.submit(() -> rt.run(() -> {
                        Go.go(() -> {
                            throw new IllegalStateException("early panic");
                        });
                        Chan.<Integer>make(0).recv();
                    }));
                    try {
                        f.get(10, TimeUnit.SECONDS);
                        fail("run returned normally");
                    } catch (ExecutionException e) {
                        assertEquals("early panic", e.getCause().getMessage());
                    } catch (TimeoutException e) {
                        fail("round " + i + ": run never returned after a goroutine threw");
                    }
                } finally {
                    rt.close();
                }
            }
        } finally {
            caller.shutdownNow();
        }
    }
}
