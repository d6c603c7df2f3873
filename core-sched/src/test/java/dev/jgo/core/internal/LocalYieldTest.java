package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.sync.WaitGroup;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Where a yielding goroutine waits: the global queue (Go) or its P's queue (local-yield). */
@Timeout(30)
class LocalYieldTest {

    /** Goroutines in the global run queue, seen by a goroutine that runs while its parent yields. */
    private static int globalQueuedDuringYield(FairnessPolicy fair) {
        try (GoRuntime rt = GoRuntime.builder().procs(1).fairnessPolicy(fair).build()) {
            Sched s = ((CoreRuntime) rt).sched();
            AtomicInteger seen = new AtomicInteger(-1);
            rt.run(() -> {
                WaitGroup wg = new WaitGroup();
                wg.add(1);
                Go.go(
                        () -> { // in runnext: runs as soon as the parent yields
                            seen.set(s.runq.size());
                            wg.done();
                        });
                Go.yield();
                wg.await();
            });
            assertEquals(fair.name(), s.fairness.name(), "the policy in force");
            return seen.get();
        }
    }

    @Test
    void goYieldsToTheGlobalQueue() {
        assertEquals(1, globalQueuedDuringYield(FairnessPolicy.go()));
    }

    @Test
    void localYieldKeepsTheGoroutineOnItsP() {
        assertEquals(0, globalQueuedDuringYield(FairnessPolicy.localYield()));
    }
}
