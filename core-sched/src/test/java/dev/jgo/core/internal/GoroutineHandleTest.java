package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.sync.Chan;
import dev.jgo.sync.WaitGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Goroutine} a {@code go} call returns keeps describing that goroutine after it ends
 * and its G is reused (GoHandle): the same id and name for good, and DEAD once it exited.
 */
@Timeout(60)
class GoroutineHandleTest {

    private static final int HANDLES = 100;
    private static final int MORE = 20_000;

    /** Waits (yielding) until {@code g} is DEAD. Concurrency: a goroutine. */
    private static void awaitDead(Goroutine g) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (g.state() != Goroutine.State.DEAD) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(g + " did not end: " + g.state());
            }
            Go.yield();
        }
    }

    @Test
    void handleKeepsIdNameAndDeadStateAfterItsGIsReused() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            rt.run(() -> {
                List<Goroutine> hs = new ArrayList<>();
                List<Long> ids = new ArrayList<>();
                for (int i = 0; i < HANDLES / 2; i++) {
                    Goroutine g = Go.go(() -> {});
                    hs.add(g);
                    ids.add(g.id());
                    Goroutine o = rt.go(() -> {}); // from a goroutine through the runtime
                    hs.add(o);
                    ids.add(o.id());
                }
                for (Goroutine g : hs) {
                    awaitDead(g);
                }
                // 20,000 more goroutines reuse the dead ones' Gs from the free lists.
                WaitGroup wg = new WaitGroup();
                for (int i = 0; i < MORE; i++) {
                    wg.add(1);
                    Go.go(wg::done);
                }
                wg.await();
                for (int i = 0; i < hs.size(); i++) {
                    Goroutine g = hs.get(i);
                    long id = ids.get(i);
                    assertEquals(id, g.id(), "id of handle " + i);
                    assertEquals("goroutine " + id, g.name(), "name of handle " + i);
                    assertEquals(Goroutine.State.DEAD, g.state(), "state of handle " + i);
                    assertEquals(WaitReason.ZERO, g.waitReason(), "wait reason of handle " + i);
                }
            });
        }
    }

    @Test
    void handleFromOutsideAndLiveStates() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Chan<Integer> c = Chan.make(0);
            Goroutine g = rt.go(() -> c.recv());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (g.state() != Goroutine.State.WAITING && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(Goroutine.State.WAITING, g.state());
            assertEquals(WaitReason.CHAN_RECEIVE, g.waitReason());
            long id = g.id();
            rt.run(() -> c.send(1));
            rt.run(() -> {
                awaitDead(g);
                WaitGroup wg = new WaitGroup();
                for (int i = 0; i < MORE; i++) {
                    wg.add(1);
                    Go.go(wg::done);
                }
                wg.await();
            });
            assertEquals(id, g.id());
            assertEquals("goroutine " + id, g.name());
            assertEquals(Goroutine.State.DEAD, g.state());
        }
    }

    @Test
    void currentAndGoHandlesOfOneGoroutineAreEqual() {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            rt.run(() -> {
                AtomicReference<Goroutine> inside = new AtomicReference<>();
                Chan<Integer> c = Chan.make(0);
                Goroutine g = Go.go(() -> {
                    inside.set(Go.current());
                    c.send(1);
                });
                c.recv();
                assertEquals(g, inside.get());
                assertEquals(g.hashCode(), inside.get().hashCode());
                assertEquals(Goroutine.State.RUNNING, Go.current().state());
                assertNotEquals(g, Go.current());
                awaitDead(g);
                Goroutine h = Go.go(() -> {}); // likely g's G again: a different goroutine
                assertNotEquals(g, h);
                assertTrue(h.id() > g.id());
            });
        }
    }

    @Test
    void uncaughtHandlerGetsAStableHandle() throws Exception {
        AtomicReference<Goroutine> who = new AtomicReference<>();
        try (GoRuntime rt = GoRuntime.builder()
                .procs(2)
                .uncaughtExceptionHandler((g, ex) -> who.set(g))
                .build()) {
            long id = rt.run(() -> {
                Goroutine g = Go.go(() -> {
                    throw new ArithmeticException("x");
                });
                while (who.get() == null) {
                    Go.yield();
                }
                awaitDead(g);
                WaitGroup wg = new WaitGroup();
                for (int i = 0; i < MORE; i++) {
                    wg.add(1);
                    Go.go(wg::done);
                }
                wg.await();
                return g.id();
            });
            assertEquals(id, who.get().id());
            assertEquals(Goroutine.State.DEAD, who.get().state());
        }
    }
}
