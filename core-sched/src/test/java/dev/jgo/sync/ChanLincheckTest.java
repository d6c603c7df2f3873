package dev.jgo.sync;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Linearizability of a channel's non-blocking operations ({@code trySend}, {@code tryRecv},
 * {@code close}, {@code len}), model-checked and stress-tested from the same operations; the
 * sequential specification is the channel itself, run on one thread. Lincheck runs operations on
 * its own threads, which are not goroutines: these are exactly the operations that may be called
 * from any thread (see {@link Chan}, "Design note: Non-blocking operations from any thread").
 * Blocking operations park goroutines, which Lincheck's threads cannot do; {@link ChanStressTest}
 * checks them. Subclasses fix the capacity; iterations scale with {@code jgo.stress}.
 */
@Timeout(120)
@Param(name = "v", gen = IntGen.class, conf = "1:3")
public abstract class ChanLincheckTest {
    static final int STRESS = Integer.getInteger("jgo.stress", 1);

    private final Chan<Integer> c;

    ChanLincheckTest(int capacity) {
        c = Chan.make(capacity);
    }

    /** "ok", "full" (would block) or "closed". */
    @Operation
    public String trySend(@Param(name = "v") int v) {
        try {
            return c.trySend(v) ? "ok" : "full";
        } catch (ClosedChannelException e) {
            return "closed";
        }
    }

    /** The value, -1 when the receive would block, 0 when closed and drained (values are 1..3). */
    @Operation
    public int tryRecv() {
        Received<Integer> r = c.tryRecv();
        if (r == null) {
            return -1;
        }
        return r.ok() ? r.value() : 0;
    }

    @Operation
    public boolean close() {
        try {
            c.close();
            return true;
        } catch (ClosedChannelException e) {
            return false;
        }
    }

    @Operation
    public int len() {
        return c.len();
    }

    /** Model-checking iterations for this capacity (before the {@code jgo.stress} factor). */
    abstract int iterations();

    @Test
    void modelCheck() {
        new ModelCheckingOptions()
                .iterations(iterations() * STRESS)
                .invocationsPerIteration(200)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(iterations() * STRESS)
                .invocationsPerIteration(1000)
                .threads(3)
                .actorsPerThread(3)
                .check(getClass());
    }
}
