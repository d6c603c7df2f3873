package dev.jgo.safepoint.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.spi.ProcControl;
import dev.jgo.spi.SafepointCoordinator;
import dev.jgo.spi.Scheduler;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stop-the-world and forEachP under a load with goroutines in every state. */
@Timeout(120)
class StopTheWorldTest {

    static Coordinator coordinator(GoRuntime rt) {
        SafepointCoordinator c = ((Scheduler) rt).safepoints();
        return (Coordinator) c;
    }

    /** Every P is GCSTOP and no goroutine code advances any counter for {@code nanos}. */
    static void assertStopped(Coordinator c, Load load, long nanos) {
        ProcControl pc = c.control();
        for (int i = 0; i < pc.gomaxprocs(); i++) {
            assertEquals(ProcControl.P_GCSTOP, pc.pStatus(i), "P" + i + " while the world is stopped");
        }
        if (nanos > 0 && load != null) {
            long before = load.moves();
            LockSupport.parkNanos(nanos);
            assertEquals(before, load.moves(), "goroutine code ran while the world was stopped");
        }
    }

    @Test
    void thousandStopsFromOutsideUnderLoad() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(3).build()) {
            Coordinator c = coordinator(rt);
            Load load = new Load(rt, 4);
            // Every kind of goroutine is going: the CPU loops pass 1000 moves within a
            // millisecond, long before a sleeper or a blocking call is first scheduled.
            awaitMoving(load, 0, 0, 1000);
            for (int i = 0; i < 1000; i++) {
                c.stopTheWorld("test");
                try {
                    assertStopped(c, load, i % 50 == 0 ? 2_000_000 : 100_000); // every stop watched
                } finally {
                    c.startTheWorld();
                }
            }
            // And going again, timers and blocking calls included (how many ran during the short
            // windows between the stops depends on the machine's load, so no count is asserted).
            awaitMoving(load, load.sleeps.get(), load.blockingCalls.get(), load.moves() + 1000);
            load.finish();
            assertEquals(1000, c.stats().stops());
        }
    }

    /**
     * Waits, bounded, until sleeps and blocking calls have passed the given counts and all moves
     * have reached {@code moves}; fails if they do not within 30 s.
     */
    private static void awaitMoving(Load load, long sleeps, long blockingCalls, long moves) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (load.sleeps.get() <= sleeps || load.blockingCalls.get() <= blockingCalls || load.moves() < moves) {
            assertTrue(
                    System.nanoTime() < deadline,
                    "the load stalled: sleeps " + load.sleeps.get() + ", blocking calls " + load.blockingCalls.get()
                            + ", moves " + load.moves());
            LockSupport.parkNanos(100_000);
        }
    }

    @Test
    void stopsFromInsideAGoroutineUnderLoad() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(3).build()) {
            Coordinator c = coordinator(rt);
            Load load = new Load(rt, 3);
            int stops = rt.run(() -> {
                ProcControl pc = c.control();
                int n = 0;
                for (int i = 0; i < 300; i++) {
                    c.stopTheWorld("from a goroutine");
                    try {
                        assertTrue(pc.currentP() >= 0, "the stopper keeps its P");
                        assertStopped(c, load, i % 50 == 0 ? 1_000_000 : 100_000); // every stop watched
                        n++;
                    } finally {
                        c.startTheWorld();
                    }
                }
                return n;
            });
            assertEquals(300, stops);
            load.finish();
        }
    }

    @Test
    void forEachPRunsOncePerPUnderLoad() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(4).build()) {
            Coordinator c = coordinator(rt);
            Load load = new Load(rt, 3);
            AtomicIntegerArray counts = new AtomicIntegerArray(4);
            for (int round = 1; round <= 300; round++) {
                if (round % 2 == 0) {
                    c.forEachP(counts::incrementAndGet);
                } else {
                    rt.run(() -> c.forEachP(counts::incrementAndGet)); // the caller's own P too
                }
                for (int p = 0; p < 4; p++) {
                    assertEquals(round, counts.get(p), "P" + p + " after round " + round);
                }
            }
            // inside a stop, forEachP runs for every P directly
            c.stopTheWorld("forEachP inside");
            try {
                c.forEachP(counts::incrementAndGet);
            } finally {
                c.startTheWorld();
            }
            for (int p = 0; p < 4; p++) {
                assertEquals(301, counts.get(p));
            }
            load.finish();
        }
    }

    @Test
    void aThrowingForEachPFunctionIsReportedAndTheRuntimeGoesOn() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(3).build()) {
            Coordinator c = coordinator(rt);
            Load load = new Load(rt, 2);
            AtomicIntegerArray counts = new AtomicIntegerArray(3);
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> c.forEachP(p -> {
                        counts.incrementAndGet(p);
                        if (p == 1) {
                            throw new IllegalArgumentException("boom on P1");
                        }
                    }));
            assertEquals("boom on P1", e.getCause().getMessage());
            for (int p = 0; p < 3; p++) {
                assertEquals(1, counts.get(p), "every P still ran it");
            }
            c.forEachP(counts::incrementAndGet);
            c.stopTheWorld("after a failed forEachP");
            c.startTheWorld();
            assertEquals(42, rt.run(() -> 42));
            load.finish();
        }
    }

    @Test
    void aBoundedStopGivesUpOnAGoroutineWithoutSafePointsAndTheRuntimeRunsOn() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Coordinator c = coordinator(rt);
            java.util.concurrent.atomic.AtomicBoolean spin = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicLong spins = new java.util.concurrent.atomic.AtomicLong();
            rt.go(() -> {
                while (spin.get()) { // no runtime call, no checkpoint: never at a safe point
                    spins.incrementAndGet();
                }
            });
            while (spins.get() == 0) {
                Thread.onSpinWait();
            }
            assertTrue(!c.tryStopTheWorld("bounded", 20_000_000), "a goroutine without safe points blocks the stop");
            long before = spins.get();
            assertEquals(6, rt.run(() -> 1 + 5), "the other P runs goroutines after the abandoned stop");
            while (spins.get() == before) {
                Thread.onSpinWait(); // and the spinner runs on
            }
            spin.set(false);
            assertTrue(c.tryStopTheWorld("bounded", 5_000_000_000L));
            assertStopped(c, null, 0);
            c.startTheWorld();
            assertEquals(0, c.stats().stops() - 1, "only the completed stop counts");
        }
    }

    @Test
    void abandonedStopsUnderLoadLeaveTheRuntimeConsistent() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(3).build()) {
            Coordinator c = coordinator(rt);
            Load load = new Load(rt, 4);
            java.util.Random r = new java.util.Random(7);
            int done = 0;
            for (int i = 0; i < 400; i++) {
                if (c.tryStopTheWorld("racing", r.nextInt(200_000))) { // 0..200 µs: many give up
                    assertStopped(c, load, 0);
                    c.startTheWorld();
                    done++;
                }
            }
            long before = load.moves();
            while (load.moves() < before + 1000) {
                Thread.onSpinWait();
            }
            load.finish();
            assertEquals(done, c.stats().stops());
            c.stopTheWorld("after"); // and a full stop still works
            c.startTheWorld();
        }
    }

    @Test
    void nestedStopsAndUnpairedStartsThrow() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Coordinator c = coordinator(rt);
            assertThrows(IllegalStateException.class, c::startTheWorld, "start without a stop");
            c.stopTheWorld("outer");
            try {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.stopTheWorld("inner"));
                assertTrue(e.getMessage().contains("nested"), e.getMessage());
            } finally {
                c.startTheWorld();
            }
            rt.run(() -> {
                c.stopTheWorld("outer");
                try {
                    assertThrows(IllegalStateException.class, () -> c.stopTheWorld("inner"));
                } finally {
                    c.startTheWorld();
                }
            });
            assertThrows(NullPointerException.class, () -> c.stopTheWorld(null));
            assertThrows(NullPointerException.class, () -> c.forEachP(null));
            assertEquals(3, rt.run(() -> 1 + 2), "runtime unharmed");
        }
    }

    @Test
    void concurrentStoppersTakeTurns() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Coordinator c = coordinator(rt);
            Load load = new Load(rt, 2);
            Thread[] ts = new Thread[2];
            for (int t = 0; t < ts.length; t++) {
                ts[t] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 100; i++) {
                        c.stopTheWorld("turns");
                        c.startTheWorld();
                    }
                });
            }
            int inside = rt.run(
                    () -> { // and a goroutine stopper among them
                        for (int i = 0; i < 100; i++) {
                            c.stopTheWorld("turns");
                            c.startTheWorld();
                        }
                        return 100;
                    });
            for (Thread t : ts) {
                t.join();
            }
            assertEquals(300, c.stats().stops());
            assertEquals(100, inside);
            load.finish();
        }
    }
}
