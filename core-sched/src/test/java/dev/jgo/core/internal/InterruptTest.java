package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.internal.vm.Continuation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A goroutine that sets its carrier thread's interrupt flag (see Carrier "Interrupts"): the flag
 * ends when the goroutine leaves its carrier, so no other goroutine sees it and the Ms' parks
 * (which {@code LockSupport.park} would turn into a busy loop) stay parked.
 */
@Timeout(120)
class InterruptTest {
    /** The idle runtime's CPU budget over {@link #IDLE_MILLIS} (a spinning M burns most of it). */
    static final long IDLE_CPU_NANOS = 45_000_000L;

    static final long IDLE_MILLIS = 1_500;

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 4})
    void idleRuntimeAfterInterruptsUsesNoCpu(int procs) throws Exception {
        String name = "intr" + System.nanoTime();
        try (GoRuntime rt = GoRuntime.builder().name(name).procs(procs).build()) {
            int n = rt.run(() -> {
                Chan<Integer> c = Chan.make(0);
                for (int i = 0; i < 16; i++) {
                    Go.go(() -> {
                        Thread.currentThread().interrupt();
                        c.send(1); // parks (or hands over) with the flag set
                        Thread.currentThread().interrupt(); // and exits with it set
                    });
                }
                int s = 0;
                for (int i = 0; i < 16; i++) {
                    s += c.recv();
                }
                Thread.currentThread().interrupt(); // the main goroutine too
                return s;
            });
            assertEquals(16, n);
            assertIdle(name);
        }
    }

    /** While a goroutine that interrupted itself waits on a channel, parked or pinned. */
    @ParameterizedTest(name = "pinned={0}")
    @ValueSource(booleans = {false, true})
    void idleWhileAnInterruptedGoroutineWaitsOnAChannel(boolean pinned) throws Exception {
        String name = "intrw" + System.nanoTime();
        try (GoRuntime rt = GoRuntime.builder().name(name).procs(2).build()) {
            Chan<Integer> c = Chan.make(0);
            CompletableFuture<Boolean> flagAfterWait = new CompletableFuture<>();
            rt.go(() -> {
                Thread.currentThread().interrupt();
                if (pinned) {
                    Continuation.pin(); // the wait blocks the carrier itself (M "Pinned goroutines")
                }
                try {
                    c.recv();
                    flagAfterWait.complete(Thread.currentThread().isInterrupted());
                } catch (Throwable t) {
                    flagAfterWait.completeExceptionally(t);
                } finally {
                    if (pinned) {
                        Continuation.unpin();
                    }
                }
            });
            assertIdle(name);
            rt.go(() -> c.send(1));
            assertFalse(flagAfterWait.get(10, TimeUnit.SECONDS), "the flag does not survive a wait");
        }
    }

    /**
     * What an interrupt means to a goroutine: nothing in jgo. It stays on the carrier while the
     * goroutine runs there (a blocking JDK call in {@code Go.blocking} sees it), and is cleared
     * when the goroutine yields, parks or ends: the goroutine that runs next on the carrier, and
     * the same goroutine after it resumes, find it clear.
     */
    @Test
    void interruptEndsWhenTheGoroutineLeavesItsCarrier() {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            List<String> seen = rt.run(() -> {
                List<String> out = new ArrayList<>();
                Thread.currentThread().interrupt();
                out.add("mounted " + Thread.currentThread().isInterrupted());
                boolean threw;
                try {
                    Go.blocking(() -> {
                        Thread.sleep(1);
                        return null;
                    });
                    threw = false;
                } catch (dev.jgo.GoroutineException e) {
                    threw = e.getCause() instanceof InterruptedException;
                }
                out.add("blocking threw " + threw);
                Thread.currentThread().interrupt();
                Go.yield();
                out.add("after yield " + Thread.currentThread().isInterrupted());
                Chan<Boolean> next = Chan.make(1);
                Thread.currentThread().interrupt();
                Go.go(() -> next.send(Thread.interrupted())); // runs on this carrier once we park
                out.add("next goroutine " + next.recv());
                Go.go(() -> Thread.currentThread().interrupt()); // ends with the flag set
                Go.yield();
                out.add("after an interrupted goroutine ended "
                        + Thread.currentThread().isInterrupted());
                Go.blocking(() -> {
                    Thread.sleep(1); // no stale interrupt fails a blocking call
                    return null;
                });
                return out;
            });
            assertEquals(
                    List.of(
                            "mounted true",
                            "blocking threw true",
                            "after yield false",
                            "next goroutine false",
                            "after an interrupted goroutine ended false"),
                    seen);
        }
    }

    /** The runtime's threads (its Ms and sysmon) use under IDLE_CPU_NANOS in IDLE_MILLIS. */
    private static void assertIdle(String name) throws InterruptedException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Thread.sleep(300); // let every M settle
        List<Thread> threads = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(name + "-") && t.isAlive()) {
                threads.add(t);
            }
        }
        assertTrue(threads.size() >= 2, "an M and sysmon: " + threads);
        long cpu0 = cpu(mx, threads);
        Thread.sleep(IDLE_MILLIS);
        long used = cpu(mx, threads) - cpu0;
        assertTrue(
                used < IDLE_CPU_NANOS,
                "the idle runtime used " + used / 1_000_000 + " ms of CPU in " + IDLE_MILLIS + " ms: " + threads);
    }

    private static long cpu(ThreadMXBean mx, List<Thread> ts) {
        long sum = 0;
        for (Thread t : ts) {
            long c = mx.getThreadCpuTime(t.threadId());
            if (c > 0) {
                sum += c;
            }
        }
        return sum;
    }
}
