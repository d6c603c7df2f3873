package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RunQueueTest {

    private static G g(long id) {
        G g = new G();
        g.goid = id;
        return g;
    }

    @Test
    void fifoThroughWrapAround() {
        RunQueue q = new RunQueue(8, new GlobalRunQueue());
        long next = 0;
        long expect = 0;
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 5; i++) {
                q.runqput(g(next++), false, 0, null);
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(expect++, q.runqget().goid);
                assertFalse(q.lastFromRunnext);
            }
        }
        assertNull(q.runqget());
        assertTrue(q.runqempty());
    }

    @Test
    void runnextIsTakenFirstAndKicksOldToTail() {
        RunQueue q = new RunQueue(8, new GlobalRunQueue());
        q.runqput(g(1), false, 0, null);
        q.runqput(g(2), true, 0, null);
        q.runqput(g(3), true, 0, null); // kicks 2 to the tail
        G a = q.runqget();
        assertEquals(3, a.goid);
        assertTrue(q.lastFromRunnext);
        assertEquals(1, q.runqget().goid);
        assertEquals(2, q.runqget().goid);
        assertNull(q.runqget());
    }

    @Test
    void overflowMovesHalfPlusOneToGlobalInOrder() {
        GlobalRunQueue global = new GlobalRunQueue();
        RunQueue q = new RunQueue(8, global);
        for (int i = 0; i < 8; i++) {
            assertFalse(q.runqput(g(i), false, 0, null));
        }
        assertTrue(q.runqput(g(8), false, 0, null), "ninth put overflows");
        assertEquals(1, q.overflows);
        List<Long> moved = new ArrayList<>();
        global.forEach(x -> moved.add(x.goid));
        assertEquals(List.of(0L, 1L, 2L, 3L, 8L), moved);
        for (long i = 4; i < 8; i++) {
            assertEquals(i, q.runqget().goid);
        }
        assertNull(q.runqget());
    }

    @Test
    void stealTakesHalfAndReturnsOne() {
        RunQueue victim = new RunQueue(16, new GlobalRunQueue());
        RunQueue thief = new RunQueue(16, new GlobalRunQueue());
        for (int i = 0; i < 10; i++) {
            victim.runqput(g(i), false, 0, null);
        }
        G got = thief.runqsteal(victim, false, true, 0, 0);
        assertEquals(5, thief.lastStolen);
        assertEquals(4, got.goid, "returns the last of the stolen batch");
        Set<Long> rest = new HashSet<>();
        G x;
        while ((x = thief.runqget()) != null) {
            rest.add(x.goid);
        }
        assertEquals(Set.of(0L, 1L, 2L, 3L), rest);
        assertEquals(5, victim.size());
    }

    @Test
    void runnextOnlyStolenWhenAllowed() {
        RunQueue victim = new RunQueue(8, new GlobalRunQueue());
        RunQueue thief = new RunQueue(8, new GlobalRunQueue());
        G r = g(7);
        victim.runqput(r, true, 0, null);
        assertNull(thief.runqsteal(victim, false, true, 0, 0), "runnext not stolen outside the last round");
        assertSame(r, thief.runqsteal(victim, true, true, 1_000, 0), "stolen after back-off");
        assertTrue(victim.runqempty());
    }

    /**
     * The owner runs its runnext and readies the same goroutine again while a thief backs off
     * (two goroutines readying each other in turn): the thief must not steal that fresh hand-off
     * (Go's back-off compares only the G, so the ABA let it through).
     */
    @Test
    void runnextReputDuringBackoffIsNotStolen() throws Exception {
        RunQueue victim = new RunQueue(8, new GlobalRunQueue());
        RunQueue thief = new RunQueue(8, new GlobalRunQueue());
        G r = g(7);
        victim.runqput(r, true, 0, null);
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<G> stolen = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
            started.countDown();
            stolen.set(thief.runqsteal(victim, true, true, 2_000_000_000L, 0)); // 2 s back-off
        });
        t.start();
        started.await();
        Thread.sleep(300); // the thief has read runnext and is backing off
        assertSame(r, victim.runqget(), "the owner runs its runnext");
        victim.runqput(r, true, 0, null); // ... and the same G is readied again
        t.join(10_000);
        assertFalse(t.isAlive());
        assertNull(stolen.get(), "a runnext put during the back-off is not stolen");
        assertSame(r, victim.runqget());
    }

    @Test
    void runnextUntouchedDuringBackoffIsStolen() {
        RunQueue victim = new RunQueue(8, new GlobalRunQueue());
        RunQueue thief = new RunQueue(8, new GlobalRunQueue());
        G r = g(7);
        victim.runqput(r, true, 0, null);
        assertSame(r, thief.runqsteal(victim, true, true, 50_000_000L, 0));
        assertNull(victim.runqget());
    }

    @Test
    void runnextAgeGate() {
        RunQueue victim = new RunQueue(8, new GlobalRunQueue());
        RunQueue thief = new RunQueue(8, new GlobalRunQueue());
        G r = g(7);
        victim.runqput(r, true, System.nanoTime(), null);
        assertNull(thief.runqsteal(victim, true, false, 0, 60_000_000_000L), "younger than the minimum age");
        assertSame(r, thief.runqsteal(victim, true, false, 0, 1), "older than 1 ns");
    }

    @Test
    void badCapacityRejected() {
        assertThrows(IllegalArgumentException.class, () -> new RunQueue(6, new GlobalRunQueue()));
        assertThrows(IllegalArgumentException.class, () -> new RunQueue(0, new GlobalRunQueue()));
    }

    @Test
    void illegalGoroutineTransitionsThrow() {
        G gp = g(1);
        assertThrows(IllegalStateException.class, () -> gp.casgstatus(G.IDLE, G.RUNNING), "not an edge");
        gp.casgstatus(G.IDLE, G.DEAD);
        assertThrows(IllegalStateException.class, () -> gp.casgstatus(G.RUNNABLE, G.RUNNING), "wrong current status");
        gp.casgstatus(G.DEAD, G.RUNNABLE);
        gp.casgstatus(G.RUNNABLE, G.RUNNING);
        assertThrows(IllegalStateException.class, () -> gp.casgstatus(G.RUNNING, G.IDLE));
        assertEquals(dev.jgo.Goroutine.State.RUNNING, gp.state());
    }

    @Test
    void illegalProcessorTransitionsThrow() {
        P pp = new P(0, 8, new GlobalRunQueue());
        assertThrows(IllegalStateException.class, () -> pp.casstatus(P.IDLE, P.SYSCALL));
        pp.casstatus(P.IDLE, P.RUNNING);
        assertThrows(IllegalStateException.class, () -> pp.casstatus(P.IDLE, P.RUNNING));
        pp.casstatus(P.RUNNING, P.DEAD);
        assertThrows(IllegalStateException.class, () -> pp.casstatus(P.DEAD, P.IDLE));
    }
}
