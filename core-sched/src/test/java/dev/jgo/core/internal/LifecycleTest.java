package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.AdditionalAnswers.delegatesTo;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.RuntimeConfig;
import dev.jgo.spi.RuntimeProvider;
import dev.jgo.spi.SchedEvents;
import dev.jgo.spi.SpinPolicy;
import dev.jgo.spi.StealPolicy;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LifecycleTest {

    private static List<Thread> carriers(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix + "-m"))
                .filter(Thread::isAlive)
                .toList();
    }

    /**
     * The live threads of the application's thread group and its descendants (the JDK's own
     * threads live in the system group), as identities: a thread is never taken for another by
     * its name.
     */
    static java.util.Set<Thread> appThreads() {
        ThreadGroup app = Thread.currentThread().getThreadGroup();
        java.util.Set<Thread> s = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            ThreadGroup g = t.getThreadGroup();
            if (t.isAlive() && g != null && app.parentOf(g)) {
                s.add(t);
            }
        }
        return s;
    }

    /** The threads alive now that were not in {@code before}, compared by identity. */
    static java.util.Set<Thread> startedSince(java.util.Set<Thread> before) {
        java.util.Set<Thread> now = appThreads();
        now.removeAll(before);
        return now;
    }

    @Test
    void closeLeavesNoThread() {
        java.util.Set<Thread> before = appThreads();
        GoRuntime rt = GoRuntime.builder().name("leakcheck").procs(4).build();
        rt.run(() -> {
            for (int i = 0; i < 1000; i++) {
                Go.go(Go::yield);
            }
            return null;
        });
        java.util.Set<Thread> started = startedSince(before);
        assertTrue(started.size() >= 2, "the runtime started its sysmon and carriers: " + started);
        rt.close();
        assertEquals(java.util.Set.of(), startedSince(before), "no thread started for the runtime is alive");
        for (Thread t : started) {
            assertFalse(t.isAlive(), t + " outlived close");
        }
        rt.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> rt.run(() -> 1));
        assertThrows(IllegalStateException.class, () -> rt.go(() -> {}));
    }

    @Test
    void closeWhileGoroutinesAreParkedAndRunFails() throws Exception {
        GoRuntime rt = GoRuntime.builder().name("closepark").procs(2).build();
        CountDownLatch parked = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                rt.run(() -> {
                    ((dev.jgo.spi.Scheduler) rt).addWaker(1); // an outside party could still wake it
                    parked.countDown();
                    Carrier.current().park(WaitReason.CHAN_RECEIVE, null, null);
                });
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        caller.start();
        assertTrue(parked.await(10, TimeUnit.SECONDS));
        rt.close();
        caller.join(10_000);
        assertFalse(caller.isAlive());
        assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
        assertEquals(List.of(), carriers("closepark"));
    }

    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> GoRuntime.builder().procs(0));
        assertThrows(IllegalArgumentException.class, () -> GoRuntime.builder().procs(-3));
        assertThrows(NullPointerException.class, () -> GoRuntime.builder().stealPolicy(null));
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            assertThrows(NullPointerException.class, () -> rt.go(null));
            assertThrows(NullPointerException.class, () -> rt.run((java.util.concurrent.Callable<Object>) null));
            assertThrows(IllegalArgumentException.class, () -> rt.gomaxprocs(-1));
            assertEquals(2, rt.gomaxprocs(0));
            assertThrows(NullPointerException.class, () -> rt.run(() -> Go.go(null)));
            assertThrows(IllegalStateException.class, () -> rt.run(() -> rt.run(() -> 1)), "run inside a goroutine");
            assertThrows(IllegalStateException.class, () -> rt.run(rt::close));
            assertEquals(5, rt.run(() -> 5), "runtime unharmed");
        }
        assertThrows(IllegalStateException.class, Go::id);
        assertThrows(IllegalStateException.class, () -> Go.blocking(() -> 1));
        assertThrows(IllegalStateException.class, Go::checkpoint);
        assertFalse(Go.inGoroutine());
    }

    @Test
    void uncaughtExceptionEndsRuntimeLikeAGoPanic() throws Exception {
        GoRuntime rt = GoRuntime.builder().name("panic").procs(2).build();
        IllegalStateException boom = new IllegalStateException("boom");
        Throwable t = assertThrows(
                Throwable.class,
                () -> rt.run(() -> {
                    Go.go(() -> {
                        throw boom;
                    });
                    Carrier.current().park(WaitReason.CHAN_RECEIVE, null, null);
                }));
        assertEquals(boom, t, "run fails with the goroutine's exception");
        IllegalStateException after = assertThrows(IllegalStateException.class, () -> rt.run(() -> 1));
        assertEquals(boom, after.getCause());
        rt.close();
        assertEquals(List.of(), carriers("panic"));
    }

    @Test
    void uncaughtExceptionHandlerKeepsRuntimeAlive() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        AtomicReference<Goroutine> who = new AtomicReference<>();
        try (GoRuntime rt = GoRuntime.builder()
                .procs(2)
                .uncaughtExceptionHandler((g, ex) -> {
                    who.set(g);
                    seen.set(ex);
                })
                .build()) {
            long id = rt.run(() -> {
                Goroutine g = Go.go(() -> {
                    throw new ArithmeticException("x");
                });
                long gid = g.id();
                while (seen.get() == null) {
                    Go.yield();
                }
                return gid;
            });
            assertTrue(seen.get() instanceof ArithmeticException);
            assertEquals(id, who.get().id());
            assertEquals(9, rt.run(() -> 9));
        }
    }

    @Test
    void deadlockIsNotReportedWhileAWakerIsRegistered() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            AtomicReference<Goroutine> parked = new AtomicReference<>();
            rt.view(); // warm
            Thread waker = new Thread(() -> {
                while (parked.get() == null || parked.get().state() != Goroutine.State.WAITING) {
                    Thread.onSpinWait();
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                ((dev.jgo.spi.Scheduler) rt).ready(parked.get());
                ((dev.jgo.spi.Scheduler) rt).addWaker(-1);
            });
            ((dev.jgo.spi.Scheduler) rt).addWaker(1);
            waker.start();
            int r = rt.run(() -> {
                parked.set(Go.current());
                Carrier.current().park(WaitReason.CHAN_RECEIVE, null, null);
                return 11;
            });
            assertEquals(11, r, "woken from outside, no false deadlock");
            waker.join();
            assertThrows(
                    DeadlockException.class,
                    () -> rt.run(() -> {
                        Carrier.current().park(WaitReason.SELECT_NO_CASES, null, null);
                    }));
        }
    }

    @Test
    void deadlockWithManyBlockedGoroutines() {
        try (GoRuntime rt = GoRuntime.builder().procs(4).build()) {
            assertThrows(
                    DeadlockException.class,
                    () -> rt.run(() -> {
                        for (int i = 0; i < 100; i++) {
                            Go.go(() -> Carrier.current().park(WaitReason.CHAN_SEND, null, null));
                        }
                        Carrier.current().park(WaitReason.CHAN_RECEIVE, null, null);
                    }));
            assertTrue(rt.numGoroutine() >= 101, "blocked goroutines stay counted: " + rt.numGoroutine());
        }
    }

    @Test
    void eventsAndPoliciesAreCalledThroughTheirSpi() {
        SchedEvents events = mock(SchedEvents.class);
        SpinPolicy spin = mock(SpinPolicy.class);
        when(spin.maySpin(anyInt(), anyInt(), anyInt())).thenReturn(true);
        try (GoRuntime rt =
                GoRuntime.builder().procs(2).events(events).spinPolicy(spin).build()) {
            rt.run(() -> {
                for (int i = 0; i < 200; i++) {
                    Go.go(Go::yield);
                }
                Go.yield();
                return null;
            });
            // every M that ran a goroutine and then ran out of work asked the spin policy
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (rt.view().idleThreads() != rt.view().threads() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }
        verify(events, times(201)).goCreate(anyLong(), anyLong(), anyInt());
        verify(events, times(201)).goExit(anyLong(), anyInt());
        verify(events, atLeastOnce()).goYield(anyLong(), anyInt());
        verify(events, atLeastOnce()).procStart(anyInt(), anyInt());
        verify(spin, atLeastOnce()).maySpin(anyInt(), eq(2), anyInt());
    }

    /**
     * A spin policy that answers no keeps Ms from deciding to spin: the only spinning Ms are the
     * ones {@code wakep} starts spinning (SpinPolicy.none's contract), so the same work spins far
     * less than under a policy that always answers yes. The steal policy is Go's behind a mock, so
     * it is not quarantined and is seen to be called.
     */
    @Test
    void spinPolicyNoneKeepsIdleMsFromDecidingToSpin() {
        SpinPolicy yes = mock(SpinPolicy.class);
        when(yes.maySpin(anyInt(), anyInt(), anyInt())).thenReturn(true);
        SpinPolicy none = mock(SpinPolicy.class); // answers false
        StealPolicy stealYes = mock(StealPolicy.class, delegatesTo(StealPolicy.go()));
        StealPolicy stealNone = mock(StealPolicy.class, delegatesTo(StealPolicy.go()));
        long spinsYes = spinsOf(yes, stealYes);
        long spinsNone = spinsOf(none, stealNone);
        verify(yes, atLeastOnce()).maySpin(anyInt(), eq(2), anyInt());
        verify(none, atLeastOnce()).maySpin(anyInt(), eq(2), anyInt());
        verify(stealYes, atLeastOnce()).firstVictim(anyInt(), eq(2), anyInt());
        assertTrue(spinsYes >= 50, "an always-yes policy spins on every idle look: " + spinsYes);
        assertTrue(
                spinsNone * 3 < spinsYes,
                "spins with the no policy " + spinsNone + ", with the yes policy " + spinsYes);
    }

    /**
     * 100 times, the main goroutine waits for a goroutine started from outside 1 ms later, so
     * the M that ran it (not spinning) runs out of work and asks the policy; returns the Ms'
     * spin count.
     */
    private static long spinsOf(SpinPolicy spin, StealPolicy steal) {
        try (GoRuntime rt =
                GoRuntime.builder().procs(2).spinPolicy(spin).stealPolicy(steal).build()) {
            CountDownLatch end = new CountDownLatch(1);
            assertEquals(100, rt.run(() -> {
                // a goroutine in a blocking call: waiting for the outside is not a deadlock
                Go.go(() -> Go.blockingLong(() -> end.await(30, TimeUnit.SECONDS)));
                int done = 0;
                for (int wave = 0; wave < 100; wave++) {
                    dev.jgo.sync.Chan<Integer> c = dev.jgo.sync.Chan.make(0);
                    Thread.ofPlatform().start(() -> {
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        rt.go(() -> c.send(1));
                    });
                    done += c.recv();
                }
                end.countDown();
                return done;
            }));
            return rt.view().counters().spins();
        }
    }

    @Test
    void providerFoundByServiceLoader() {
        List<RuntimeProvider> ps = java.util.ServiceLoader.load(RuntimeProvider.class).stream()
                .map(java.util.ServiceLoader.Provider::get)
                .toList();
        assertEquals(1, ps.size());
        assertTrue(ps.get(0) instanceof CoreRuntimeProvider);
        RuntimeConfig cfg = GoRuntime.builder().procs(3).config();
        assertEquals(3, cfg.procs());
        assertThrows(
                IllegalArgumentException.class,
                () -> new RuntimeConfig(
                        "x",
                        0,
                        10,
                        StealPolicy.go(),
                        SpinPolicy.go(),
                        dev.jgo.spi.FairnessPolicy.go(),
                        null,
                        null,
                        false));
        assertNull(cfg.events());
    }
}
