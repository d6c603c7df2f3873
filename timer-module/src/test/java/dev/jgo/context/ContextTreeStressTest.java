package dev.jgo.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.WaitGroup;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancellation trees built by many goroutines while the root is cancelled: every context ends
 * done with an error, none is left attached; and a long-lived parent keeps no reference to its
 * cancelled children (the 10^6 children, measured). Scaled by {@code -Djgo.stress=N}.
 */
@Timeout(180)
class ContextTreeStressTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    @Test
    void treesRacingWithCancellation() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            for (int round = 0; round < 20 * STRESS; round++) {
                long seed = 0x9E3779B97F4A7C15L * (round + 1);
                rt.run(() -> runRound(new SplittableRandom(seed)));
            }
        }
    }

    private static void runRound(SplittableRandom rnd) {
        CancelContext root = Context.withCancel(Context.background());
        ConcurrentLinkedQueue<Context> all = new ConcurrentLinkedQueue<>();
        all.add(root);
        int builders = 2 + rnd.nextInt(6);
        int perBuilder = 200 + rnd.nextInt(400);
        int cancelAfter = rnd.nextInt(builders * perBuilder);
        WaitGroup wg = new WaitGroup();
        wg.add(builders + 1);
        List<Context> seeds = new ArrayList<>(all);
        for (int b = 0; b < builders; b++) {
            long s = rnd.nextLong();
            Go.go(() -> {
                SplittableRandom r = new SplittableRandom(s);
                List<Context> mine = new ArrayList<>(seeds);
                for (int i = 0; i < perBuilder; i++) {
                    Context parent = mine.get(r.nextInt(mine.size()));
                    Context c = switch (r.nextInt(5)) {
                        case 0 -> Context.withValue(parent, i, i);
                        case 1 -> new OtherContext(parent);
                        case 2 -> Context.withTimeout(parent, Duration.ofHours(1));
                        default -> Context.withCancel(parent);
                    };
                    if (r.nextInt(8) == 0 && c instanceof CancelContext cc) {
                        cc.cancel(); // some subtrees end on their own
                    }
                    mine.add(c);
                    all.add(c);
                    if ((i & 15) == 0) {
                        Go.yield();
                    }
                }
                wg.done();
            });
        }
        Go.go(() -> {
            while (all.size() < cancelAfter) {
                Go.yield();
            }
            root.cancel();
            // the moment cancel returns, every context made so far under root is done
            wg.done();
        });
        wg.await();
        for (Context c : all) {
            assertNotNull(c.err(), c + " not cancelled");
            assertTrue(c.done().tryRecv() != null, c + " done not closed");
            if (c instanceof CancelCtx cc) {
                assertEquals(0, cc.childCount(), c + " keeps children");
            }
        }
    }

    /**
     * The proof: 10^6 children of one long-lived parent, each created and cancelled in
     * turn, then 10^5 alive at once and cancelled together: afterwards the parent holds none, and
     * a sample of them (weakly referenced) is collected.
     */
    @Test
    void longLivedParentKeepsNoCancelledChildren() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            rt.run(() -> {
                CancelContext parent = Context.withCancel(Context.background());
                CancelCtx p = (CancelCtx) parent;
                List<WeakReference<Context>> sample = new ArrayList<>();
                for (int i = 0; i < 1_000_000; i++) {
                    CancelContext child = Context.withCancel(parent);
                    if (i % 1000 == 0) {
                        sample.add(new WeakReference<>(child));
                        assertEquals(1, p.childCount());
                    }
                    child.cancel();
                }
                assertEquals(0, p.childCount());
                List<CancelContext> live = new ArrayList<>();
                for (int i = 0; i < 100_000; i++) {
                    CancelContext child = Context.withCancel(Context.withValue(parent, "i", i));
                    live.add(child);
                    if (i % 100 == 0) {
                        sample.add(new WeakReference<>(child));
                    }
                }
                assertEquals(100_000, p.childCount());
                for (CancelContext c : live) {
                    c.cancel();
                }
                live.clear();
                assertEquals(0, p.childCount());
                assertNull(parent.err(), "the parent is still live");
                long deadline = System.nanoTime() + 60_000_000_000L;
                for (; ; ) {
                    System.gc();
                    long left = sample.stream().filter(w -> w.get() != null).count();
                    if (left == 0) {
                        break;
                    }
                    assertTrue(System.nanoTime() < deadline, left + " cancelled children still reachable");
                    Go.sleep(Duration.ofMillis(50));
                }
                parent.cancel();
            });
        }
    }
}
