package dev.jgo.core.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Linearizability of the local run queue with its capacity shrunk to 4, so that overflow to the
 * global queue and steal-half happen within a few operations. The owner's operations run on one
 * thread (they are single-producer by contract); steals and global polls run on any thread. The
 * same operations are model-checked and stress-tested. Iterations scale with {@code jgo.stress}.
 *
 * <p>Steals here leave {@code runnext} alone. Stealing {@code runnext} is deliberately not
 * linearizable, in Go as here: {@code runqput(next)} swaps the new goroutine into {@code runnext}
 * and only then pushes the old one to the ring, so for a moment the old one is in neither place
 * and a thief that finds the ring empty may take the new one (Lincheck finds exactly that
 * interleaving when runnext stealing is on). No goroutine is lost or taken twice, which {@link
 * RunQueueStressTest} checks with runnext stealing on.
 */
@Timeout(300)
public class RunQueueLincheckTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    private final GlobalRunQueue global = new GlobalRunQueue();
    private final RunQueue q = new RunQueue(4, global);
    /** Owner-only: the k-th put gets id k in every interleaving, since puts are program-ordered. */
    private long nextId;

    private G newG() {
        G g = new G();
        g.goid = nextId++;
        return g;
    }

    @Operation(nonParallelGroup = "owner")
    public boolean put() {
        return q.runqput(newG(), false, 0, null);
    }

    @Operation(nonParallelGroup = "owner")
    public boolean putNext() {
        return q.runqput(newG(), true, 0, null);
    }

    @Operation(nonParallelGroup = "owner")
    public long get() {
        G g = q.runqget();
        return g == null ? -1 : g.goid;
    }

    @Operation
    public List<Long> steal() {
        RunQueue mine = new RunQueue(4, new GlobalRunQueue());
        List<Long> ids = new ArrayList<>();
        G g = mine.runqsteal(q, false, false, 0, 0);
        while (g != null) {
            ids.add(g.goid);
            g = mine.runqget();
        }
        Collections.sort(ids);
        return ids;
    }

    @Operation
    public long pollGlobal() {
        G g = global.poll();
        return g == null ? -1 : g.goid;
    }

    @Operation
    public boolean empty() {
        return q.runqempty();
    }

    @Test
    void modelCheck() {
        new ModelCheckingOptions()
                .iterations(10 * STRESS)
                .invocationsPerIteration(300)
                .threads(2)
                .actorsPerThread(4)
                .actorsBefore(3)
                .check(RunQueueLincheckTest.class);
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(10 * STRESS)
                .invocationsPerIteration(1000)
                .threads(3)
                .actorsPerThread(4)
                .check(RunQueueLincheckTest.class);
    }
}
