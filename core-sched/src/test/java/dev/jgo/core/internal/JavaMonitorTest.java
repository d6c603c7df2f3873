package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.internal.vm.Continuation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What happens to Java monitors and pinned continuations when a goroutine parks ("Java monitors"
 * in DESIGN.md; "Pinned goroutines" in M).
 */
@Timeout(60)
class JavaMonitorTest {

    /**
     * On JDK 25 a goroutine can park inside {@code synchronized}: the yield succeeds, and it
     * resumes, possibly on another carrier thread, still owning the monitor.
     */
    @Test
    void parkInsideSynchronizedResumesOwningTheMonitor() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Set<Boolean> migrated = new HashSet<>();
            for (int i = 0; i < 200 && !migrated.contains(true); i++) {
                Object monitor = new Object();
                boolean[] result = rt.run(() -> {
                    Gate gate = new Gate();
                    Thread before;
                    Thread after;
                    boolean held;
                    synchronized (monitor) {
                        before = Thread.currentThread();
                        Go.go(() -> {
                            gate.open(); // the waiter goes to this P's runnext...
                            // ...and this goroutine keeps the P busy, so an idle M steals it
                            long until = System.nanoTime() + 2_000_000;
                            while (System.nanoTime() < until) {
                                Thread.onSpinWait();
                            }
                        });
                        gate.await();
                        after = Thread.currentThread();
                        held = Thread.holdsLock(monitor);
                    }
                    return new boolean[] {before != after, held, Thread.holdsLock(monitor)};
                });
                assertTrue(result[1], "monitor still held after resuming");
                assertTrue(!result[2], "monitor released on exit from the block");
                migrated.add(result[0]);
            }
            assertTrue(migrated.contains(true), "a goroutine parked in synchronized resumed on another carrier");
        }
    }

    /**
     * A park inside a critical section (a pinned continuation) cannot yield: the carrier blocks
     * instead, the P is handed off, and other goroutines, including the one that readies the
     * pinned goroutine, still run, even with a single P.
     */
    @Test
    void pinnedParkBlocksTheCarrierAndHandsOffTheP() {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            AtomicInteger others = new AtomicInteger();
            int r = rt.run(() -> {
                Gate gate = new Gate();
                Go.go(() -> {
                    for (int i = 0; i < 10; i++) {
                        others.incrementAndGet();
                        Go.yield();
                    }
                    gate.open();
                });
                Continuation.pin();
                try {
                    gate.await(); // the yield is refused: parkPinned
                    Go.yield(); // skipped while pinned
                } finally {
                    Continuation.unpin();
                }
                return others.get();
            });
            assertEquals(10, r);
            assertEquals(5, rt.run(() -> 5), "runtime healthy after a pinned park");
        }
    }

    @Test
    void pinnedDeadlockIsStillReported() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            assertThrows(
                    DeadlockException.class,
                    () -> rt.run(() -> {
                        Continuation.pin();
                        try {
                            Carrier.current().park(WaitReason.CHAN_RECEIVE, null, null);
                        } finally {
                            Continuation.unpin();
                        }
                    }));
        }
    }
}
