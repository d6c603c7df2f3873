package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgo.DeadlockException;
import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import dev.jgo.sync.Chan;
import dev.jgo.sync.WaitGroup;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several runtimes in one JVM share channels and WaitGroups: a goroutine woken by a goroutine of
 * another runtime is made runnable on its own runtime (Ready.ready, "ownership"), never on the
 * waker's carriers.
 */
@Timeout(120)
class CrossRuntimeTest {

    private static final int STRESS = Integer.getInteger("jgo.stress", 1);
    private static final int PAIRS = 4;
    private static final int ROUNDS = 2_000 * STRESS;

    /** Records the first goroutine found running on a carrier of a runtime other than its own. */
    private static void checkOwn(GoRuntime own, String who, AtomicReference<String> wrong) {
        if (Carrier.current().scheduler() != own) {
            wrong.compareAndSet(
                    null, who + " ran on a carrier of " + Carrier.current().scheduler());
        }
    }

    /**
     * The main goroutine of {@code own}: starts the ping side ({@code ping}) or the pong side of
     * every pair, then waits for the other runtime's workers on {@code theirs} (a WaitGroup
     * released from the other runtime). Holds a waker meanwhile: for deadlock detection a
     * goroutine of another runtime is an outside waker (see Scheduler.addWaker).
     */
    private static Void side(
            GoRuntime own,
            boolean ping,
            Chan<Integer>[] ab,
            Chan<Integer>[] ba,
            WaitGroup mine,
            WaitGroup theirs,
            AtomicReference<String> wrong) {
        Carrier.current().scheduler().addWaker(1);
        try {
            for (int i = 0; i < PAIRS; i++) {
                Chan<Integer> out = ping ? ab[i] : ba[i];
                Chan<Integer> in = ping ? ba[i] : ab[i];
                String who = (ping ? "ping " : "pong ") + i;
                own.go(() -> {
                    try {
                        for (int r = 0; r < ROUNDS; r++) {
                            if (ping) {
                                out.send(r);
                                checkOwn(own, who, wrong);
                                int v = in.recv();
                                checkOwn(own, who, wrong);
                                if (v != r) {
                                    wrong.compareAndSet(null, who + " got " + v + " in round " + r);
                                }
                            } else {
                                int v = in.recv();
                                checkOwn(own, who, wrong);
                                out.send(v);
                                checkOwn(own, who, wrong);
                            }
                        }
                    } finally {
                        mine.done();
                    }
                });
            }
            theirs.await(); // woken by the other runtime's last worker
            checkOwn(own, "main", wrong);
            return null;
        } finally {
            Carrier.current().scheduler().addWaker(-1);
        }
    }

    private static void awaitNoGoroutines(GoRuntime rt, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (rt.numGoroutine() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, rt.numGoroutine(), name + ": goroutines left after every one returned");
    }

    @Test
    @SuppressWarnings("unchecked")
    void goroutinesWokenByAnotherRuntimeStayOnTheirOwn() throws Exception {
        try (GoRuntime a = GoRuntime.builder().name("xa").procs(2).build();
                GoRuntime b = GoRuntime.builder().name("xb").procs(2).build()) {
            for (int rep = 0; rep < 3; rep++) {
                Chan<Integer>[] ab = new Chan[PAIRS];
                Chan<Integer>[] ba = new Chan[PAIRS];
                for (int i = 0; i < PAIRS; i++) {
                    ab[i] = Chan.make(0);
                    ba[i] = Chan.make(rep); // unbuffered, then buffered ones
                }
                WaitGroup wa = new WaitGroup();
                WaitGroup wb = new WaitGroup();
                AtomicReference<String> wrong = new AtomicReference<>();
                // WaitGroup.add needs a goroutine: count each side's workers on its own runtime
                a.run(() -> wa.add(PAIRS));
                b.run(() -> wb.add(PAIRS));
                CompletableFuture<Void> fa =
                        CompletableFuture.supplyAsync(() -> a.run(() -> side(a, true, ab, ba, wa, wb, wrong)));
                CompletableFuture<Void> fb =
                        CompletableFuture.supplyAsync(() -> b.run(() -> side(b, false, ab, ba, wb, wa, wrong)));
                fa.get(60, TimeUnit.SECONDS);
                fb.get(60, TimeUnit.SECONDS);
                assertNull(wrong.get());
                awaitNoGoroutines(a, "runtime xa");
                awaitNoGoroutines(b, "runtime xb");
            }
            // Each runtime still detects a real deadlock of its own.
            assertThrows(DeadlockException.class, () -> b.run(() -> Chan.make(0).recv()));
            assertEquals(7, a.run(() -> 7));
        }
    }
}
