package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import java.lang.reflect.Constructor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * VirtualThreads reads the JDK's submission without its table where it can: the thread from the
 * task, and whether a submission is the thread's first (its start) or a later one (a wake-up).
 */
@Timeout(60)
class VirtualThreadsFirstSubmissionTest {

    /** A JDK builder whose scheduler records what VirtualThreads reads, then runs the task on one platform thread. */
    private static Thread.Builder.OfVirtual recordingBuilder(
            Executor carrier, List<Boolean> firsts, List<Thread> threads) throws ReflectiveOperationException {
        Executor scheduler = task -> {
            Thread t = VirtualThreads.threadOf(task);
            threads.add(t);
            firsts.add(VirtualThreads.firstSubmission(t));
            carrier.execute(task);
        };
        Constructor<?> c =
                Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder").getDeclaredConstructor(Executor.class);
        c.setAccessible(true);
        return (Thread.Builder.OfVirtual) c.newInstance(scheduler);
    }

    @Test
    void theStartIsTheFirstSubmissionAndAWakeUpIsNot() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            rt.virtualThreadBuilder(); // resolves the JDK access, as a runtime does
        }
        ExecutorService carrier = Executors.newSingleThreadExecutor();
        try {
            List<Boolean> firsts = new CopyOnWriteArrayList<>();
            List<Thread> threads = new CopyOnWriteArrayList<>();
            Thread t = recordingBuilder(carrier, firsts, threads).start(LockSupport::park);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(Thread.State.WAITING, t.getState(), "the thread parks");
            assertFalse(VirtualThreads.firstSubmission(t), "a parked thread is past its first run");
            LockSupport.unpark(t);
            assertTrue(t.join(Duration.ofSeconds(30)), "the thread ends");
            assertEquals(List.of(true, false), firsts, "start, then the wake-up");
            assertSame(t, threads.get(0));
            assertSame(t, threads.get(1));
            assertFalse(VirtualThreads.firstSubmission(Thread.ofVirtual().unstarted(() -> {})), "not started");
        } finally {
            carrier.shutdownNow();
        }
    }
}
