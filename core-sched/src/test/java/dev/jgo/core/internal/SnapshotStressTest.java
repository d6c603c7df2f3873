package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.spi.GoroutineInfo;
import dev.jgo.spi.MachineInfo;
import dev.jgo.sync.Chan;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Snapshots taken while goroutines park and wake as fast as they can: the scan bit must keep a
 * walked continuation from being resumed ("Mounted" failures would end the runtime) and must
 * never lose a wake-up.
 */
@Timeout(60)
class SnapshotStressTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    /** Snapshots the reader must take while the goroutines ping-pong, whatever the machine's load. */
    private static final int SNAPSHOTS_DURING = 20;

    @Test
    void snapshotsDuringPingPongLoseNothing() throws Exception {
        int minRounds = 20_000 * STRESS;
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            AtomicBoolean done = new AtomicBoolean();
            AtomicLong snapshots = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    while (!done.get()) {
                        List<GoroutineInfo> gs = rt.view().goroutines();
                        for (GoroutineInfo g : gs) {
                            assertTrue(g.state() != Goroutine.State.DEAD && g.state() != Goroutine.State.IDLE);
                        }
                        rt.view().machines(true);
                        snapshots.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            reader.start();
            AtomicLong during = new AtomicLong();
            AtomicLong rounds = new AtomicLong();
            long sum = rt.run(() -> {
                Chan<Integer> ping = Chan.make(0);
                Chan<Integer> pong = Chan.make(0);
                for (int w = 0; w < 4; w++) {
                    Go.go(() -> {
                        for (Integer v; (v = ping.recv()) != null; ) {
                            pong.send(v);
                        }
                    });
                }
                // Condition, not luck: the ping-pong goes on until the reader has taken its
                // snapshots meanwhile (a loaded machine may not schedule it for a while), bounded.
                long base = snapshots.get();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                long s = 0;
                int i = 0;
                while (i < minRounds
                        || (snapshots.get() - base < SNAPSHOTS_DURING
                                && failure.get() == null
                                && System.nanoTime() < deadline)) {
                    ping.send(i);
                    s += pong.recv();
                    i++;
                }
                during.set(snapshots.get() - base);
                rounds.set(i);
                ping.close();
                return s;
            });
            done.set(true);
            reader.join(30_000);
            assertTrue(!reader.isAlive(), "the reader never finished its snapshot");
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            long n = rounds.get();
            assertEquals(n * (n - 1) / 2, sum, "a value was lost or doubled in " + n + " rounds");
            assertTrue(
                    during.get() >= SNAPSHOTS_DURING,
                    "the reader took " + during.get() + " snapshots during the ping-pong, want " + SNAPSHOTS_DURING
                            + " within 30 s");
        }
    }

    @Test
    void parkedGoroutineIsReportedWithReasonAndTrimmedStack() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            Chan<Integer> c = Chan.make(0);
            Goroutine g = rt.go(c::recv);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (g.state() != Goroutine.State.WAITING && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            GoroutineInfo gi = rt.view().goroutines().stream()
                    .filter(x -> x.id() == g.id())
                    .findFirst()
                    .orElseThrow();
            assertEquals(dev.jgo.WaitReason.CHAN_RECEIVE, gi.waitReason());
            assertEquals(-1, gi.mid());
            StackTraceElement top = gi.stack().get(0);
            assertEquals(M.class.getName() + ".park", top.getClassName() + "." + top.getMethodName());
            assertTrue(gi.stack().stream().noneMatch(e -> e.getClassName().startsWith("jdk.internal.vm")));
            assertTrue(gi.stack().stream().noneMatch(e -> e.getMethodName().equals("body")));
            long since = gi.waitSinceNanos();
            GoroutineInfo again = rt.view().goroutines().stream()
                    .filter(x -> x.id() == g.id())
                    .findFirst()
                    .orElseThrow();
            assertEquals(since, again.waitSinceNanos(), "waitsince is stamped once per wait");
            List<MachineInfo> ms = rt.view().machines(false);
            assertTrue(ms.stream().allMatch(m -> m.goid() == -1), ms.toString());
            rt.go(() -> c.send(1));
        }
    }

    @Test
    void eventsAttachAndDetachWhileRunning() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            AtomicLong starts = new AtomicLong();
            dev.jgo.spi.SchedEvents l = new dev.jgo.spi.SchedEvents() {
                @Override
                public void goStart(long goid, int pid, int mid) {
                    starts.incrementAndGet();
                }
            };
            dev.jgo.spi.EventsControl ec = (dev.jgo.spi.EventsControl) rt;
            ec.attachEvents(l);
            rt.run(() -> {
                dev.jgo.sync.Chan<Integer> c = dev.jgo.sync.Chan.make(0);
                Go.go(() -> c.send(1));
                return c.recv();
            });
            // A child that parked in send is readied by the receive and starts again, possibly
            // after run returned: wait until it has exited, so no start is still in flight.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (rt.numGoroutine() != 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(0, rt.numGoroutine());
            assertTrue(starts.get() >= 2);
            assertTrue(ec.detachEvents(l));
            assertTrue(!ec.detachEvents(l));
            long before = starts.get();
            rt.run(() -> 1);
            assertEquals(before, starts.get());
            assertEquals(null, ((CoreRuntime) rt).sched().events, "no listener: the slot is empty again");
        }
    }

    @Test
    void scanBitHoldsOffTransitionsUntilCleared() throws Exception {
        G g = new G();
        g.casgstatus(G.IDLE, G.DEAD);
        g.casgstatus(G.DEAD, G.RUNNABLE);
        g.casgstatus(G.RUNNABLE, G.RUNNING);
        g.casgstatus(G.RUNNING, G.WAITING);
        assertTrue(g.castogscanstatus(G.WAITING));
        assertTrue(!g.castogscanstatus(G.WAITING), "one scanner at a time");
        assertEquals(G.WAITING, g.readgstatus(), "the scan bit is invisible to readers");
        Thread readier = new Thread(() -> g.casgstatus(G.WAITING, G.RUNNABLE));
        readier.start();
        readier.join(100);
        assertTrue(readier.isAlive(), "ready waits while the stack is being read");
        g.casfromgscanstatus(G.WAITING);
        readier.join(10_000);
        assertEquals(G.RUNNABLE, g.readgstatus());
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, () -> g.casgstatus(G.WAITING, G.RUNNABLE), "wrong from still throws");
    }

    @Test
    void allgsGrowsOnlyWithFreshGs() {
        AllGs a = new AllGs();
        for (int i = 0; i < 10_000; i++) {
            a.add(new G());
        }
        AtomicLong n = new AtomicLong();
        a.forEach(g -> n.incrementAndGet());
        assertEquals(10_000, n.get());
        assertEquals(10_000, a.size());
    }
}
