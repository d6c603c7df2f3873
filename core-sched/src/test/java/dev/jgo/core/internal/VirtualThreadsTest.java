package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.WaitReason;
import dev.jgo.spi.GoroutineInfo;
import dev.jgo.sync.Chan;
import dev.jgo.sync.WaitGroup;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** JDK virtual threads on jgo's scheduler (issue 22): GoRuntime.virtualThreadBuilder(). */
@Timeout(120)
class VirtualThreadsTest {

    private static void joinAll(List<Thread> ts, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (Thread t : ts) {
            long left = deadline - System.nanoTime();
            assertTrue(left > 0 && t.join(java.time.Duration.ofNanos(left)), "not finished in time: " + t);
        }
    }

    @Test
    void threadsAreVirtualAndRunOnTheRuntimesCarriers() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtcarrier").procs(2).build()) {
            String[] seen = new String[2];
            Thread t = rt.virtualThreadBuilder().name("w").start(() -> {
                seen[0] = String.valueOf(Thread.currentThread().isVirtual());
                seen[1] = Thread.currentThread().toString(); // VirtualThread[#id,w]/runnable@carrier
            });
            assertTrue(t.join(java.time.Duration.ofSeconds(30)));
            assertTrue(t.isVirtual());
            assertEquals("true", seen[0]);
            assertTrue(seen[1].contains("@vtcarrier-m"), seen[1]);
        }
    }

    /** Never more than procs virtual threads run at once, measured with a counter while they spin. */
    @Test
    void atMostProcsRunAtOnce() throws Exception {
        for (int procs : new int[] {1, 2}) {
            try (GoRuntime rt = GoRuntime.builder().name("vtbound").procs(procs).build()) {
                AtomicInteger running = new AtomicInteger();
                AtomicInteger max = new AtomicInteger();
                List<Thread> ts = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    ts.add(rt.virtualThreadBuilder().start(() -> {
                        for (int round = 0; round < 20; round++) {
                            int now = running.incrementAndGet();
                            max.accumulateAndGet(now, Math::max);
                            long end = System.nanoTime() + 200_000;
                            while (System.nanoTime() < end) {
                                Thread.onSpinWait(); // holds the M: no park in this section
                            }
                            running.decrementAndGet();
                            Thread.yield();
                        }
                    }));
                }
                joinAll(ts, 60);
                assertTrue(max.get() >= 1 && max.get() <= procs, "max running " + max.get() + " > procs " + procs);
            }
        }
    }

    /** A blocking socket read parks the virtual thread: goroutines go on with procs=1. */
    @Test
    void blockingSocketReadDoesNotHoldTheM() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtsock").procs(1).build();
                ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CountDownLatch reading = new CountDownLatch(1);
            int[] got = {-2};
            Thread reader = rt.virtualThreadBuilder().start(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    reading.countDown();
                    got[0] = s.getInputStream().read(); // blocks until the server writes
                } catch (Exception e) {
                    got[0] = -3;
                }
            });
            try (Socket peer = server.accept()) {
                assertTrue(reading.await(30, TimeUnit.SECONDS));
                // The only P is free while the read waits: a goroutine runs to the end.
                long n = rt.run(() -> {
                    long sum = 0;
                    for (int i = 0; i < 1000; i++) {
                        sum += i;
                        Go.yield();
                    }
                    return sum;
                });
                assertEquals(499_500, n);
                assertTrue(reader.isAlive(), "the reader is still blocked in read");
                OutputStream out = peer.getOutputStream();
                out.write(7);
                out.flush();
                assertTrue(reader.join(java.time.Duration.ofSeconds(30)));
            }
            assertEquals(7, got[0]);
        }
    }

    /** Channel traffic between a virtual thread and a goroutine, both ways. */
    @Test
    void channelsBetweenVirtualThreadsAndGoroutines() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtchan").procs(2).build()) {
            Chan<Integer> toVt = Chan.make(0);
            Chan<Integer> toG = Chan.make(0);
            int rounds = 2000;
            long[] vtSum = {0};
            boolean[] inGo = {false};
            Thread vt = rt.virtualThreadBuilder().start(() -> {
                inGo[0] = Go.inGoroutine();
                for (int i = 0; i < rounds; i++) {
                    int v = toVt.recv(); // parks the virtual thread
                    vtSum[0] += v;
                    toG.send(v + 1);
                }
            });
            long gSum = rt.run(() -> {
                long s = 0;
                for (int i = 0; i < rounds; i++) {
                    toVt.send(i);
                    s += toG.recv();
                }
                return s;
            });
            assertTrue(vt.join(java.time.Duration.ofSeconds(30)));
            assertTrue(inGo[0]);
            assertEquals((long) rounds * (rounds - 1) / 2, vtSum[0]);
            assertEquals((long) rounds * (rounds + 1) / 2, gSum);
        }
    }

    /** A goroutine blocked on a channel that only a parked virtual thread will send on: no deadlock. */
    @Test
    void virtualThreadInJdkParkIsNotADeadlockButOneInAChannelIs() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtdead").procs(2).build()) {
            Chan<Integer> c = Chan.make(0);
            rt.virtualThreadBuilder().start(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                c.send(5);
            });
            assertEquals(5, rt.run(c::recv));
            Chan<Integer> never = Chan.make(0);
            rt.virtualThreadBuilder().start(never::recv);
            assertThrows(dev.jgo.DeadlockException.class, () -> rt.run(() -> never.recv()));
        }
    }

    /** 10,000 virtual threads in Thread.sleep(200 ms) on procs=2 finish in bounded time. */
    @Test
    void tenThousandSleepersFinish() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtsleep").procs(2).build()) {
            int n = 10_000;
            CountDownLatch done = new CountDownLatch(n);
            long t0 = System.nanoTime();
            try (ExecutorService ex = rt.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < n; i++) {
                    ex.execute(() -> {
                        try {
                            Thread.sleep(200);
                        } catch (InterruptedException e) {
                            return;
                        }
                        done.countDown();
                    });
                }
                assertTrue(done.await(30, TimeUnit.SECONDS), "left: " + done.getCount());
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 20_000, "took " + ms + " ms");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rt.numGoroutine() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, rt.numGoroutine());
        }
    }

    /** Live virtual threads count in numGoroutine and appear in the goroutine snapshot with their state. */
    @Test
    void countedAndShownInTheDump() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtdump").procs(2).build()) {
            CountDownLatch release = new CountDownLatch(1);
            SynchronousQueue<Integer> q = new SynchronousQueue<>();
            Chan<Integer> c = Chan.make(0);
            List<Thread> ts = new ArrayList<>();
            ts.add(rt.virtualThreadBuilder().name("sleeper").start(() -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    // released
                }
            }));
            ts.add(rt.virtualThreadBuilder().name("taker").start(() -> {
                try {
                    q.take();
                } catch (InterruptedException e) {
                    // released
                }
            }));
            ts.add(rt.virtualThreadBuilder().name("receiver").start(() -> c.recv()));
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                List<GoroutineInfo> gs;
                do {
                    Thread.sleep(20);
                    gs = rt.view().goroutines();
                } while ((gs.size() < 3 || gs.stream().anyMatch(g -> g.waitReason() == WaitReason.ZERO))
                        && System.nanoTime() < deadline);
                assertEquals(3, rt.numGoroutine());
                List<String> reasons = gs.stream()
                        .map(g -> g.waitReason().text() + " " + g.createdBy())
                        .sorted()
                        .toList();
                assertEquals(3, reasons.size(), reasons.toString());
                assertTrue(reasons.get(0).startsWith("chan receive virtual thread #"), reasons.toString());
                assertTrue(reasons.get(0).endsWith("\"receiver\""), reasons.toString());
                assertTrue(reasons.get(1).startsWith("virtual thread TIMED_WAITING"), reasons.toString());
                assertTrue(reasons.get(2).startsWith("virtual thread WAITING"), reasons.toString());
                GoroutineInfo sleeper = gs.stream()
                        .filter(g -> g.waitReason() == WaitReason.VIRTUAL_TIMED_WAITING)
                        .findFirst()
                        .orElseThrow();
                assertTrue(
                        sleeper.stack().stream().anyMatch(f -> f.getMethodName().equals("sleep")),
                        sleeper.stack().toString());
            } finally {
                ts.get(0).interrupt();
                ts.get(1).interrupt();
                c.trySend(1);
                release.countDown();
            }
            joinAll(ts, 30);
        }
    }

    /** close(): factories throw IllegalStateException, start() RejectedExecutionException; leftovers reported. */
    @Test
    void closeRejectsAndReportsParkedThreads() throws Exception {
        GoRuntime rt = GoRuntime.builder().name("vtclose").procs(1).build();
        Thread.Builder.OfVirtual b = rt.virtualThreadBuilder();
        ExecutorService ex = rt.newVirtualThreadPerTaskExecutor();
        Chan<Integer> never = Chan.make(0);
        CountDownLatch parked = new CountDownLatch(1);
        Thread left = b.start(() -> {
            parked.countDown();
            never.recv();
        });
        try (LogCapture log = new LogCapture()) {
            assertTrue(parked.await(30, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (left.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            rt.close();
            assertThrows(IllegalStateException.class, rt::virtualThreadBuilder);
            assertThrows(IllegalStateException.class, rt::newVirtualThreadPerTaskExecutor);
            Thread t = b.unstarted(() -> {});
            assertThrows(RejectedExecutionException.class, t::start);
            assertThrows(RejectedExecutionException.class, () -> ex.submit(() -> 1));
            assertFalse(
                    log.find(Level.WARNING, "1 goroutine left (abandoned): 1 chan receive")
                            .isEmpty(),
                    log.all().stream().map(r -> r.getMessage()).toList().toString());
        } finally {
            rt.close();
        }
    }

    /**
     * From a virtual thread of the runtime: run waits for a main goroutine (the thread parks, its
     * M goes on), go starts a goroutine, close refuses as from a goroutine.
     */
    @Test
    void runGoAndCloseFromAVirtualThread() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtrun").procs(1).build()) {
            Object[] out = new Object[3];
            Thread t = rt.virtualThreadBuilder().start(() -> {
                out[0] = rt.run(() -> 6 * 7); // procs=1: the main goroutine needs this thread's M
                Chan<Integer> c = Chan.make(0);
                rt.go(() -> c.send(9));
                out[1] = c.recv();
                try {
                    rt.close();
                    out[2] = "closed";
                } catch (IllegalStateException e) {
                    out[2] = e.getMessage();
                }
            });
            assertTrue(t.join(java.time.Duration.ofSeconds(30)));
            assertEquals(42, out[0]);
            assertEquals(9, out[1]);
            assertEquals("GoRuntime.close called from one of its own goroutines", out[2]);
        }
    }

    /**
     * Sysmon asks a virtual thread that keeps its P past the time slice to yield, as it asks a
     * goroutine: one that spins through Go.checkpoint() lets a goroutine run on procs=1.
     */
    @Test
    void longRunningVirtualThreadYieldsAtACheckpoint() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtpreempt").procs(1).build()) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            CountDownLatch spinning = new CountDownLatch(1);
            Thread spinner = rt.virtualThreadBuilder().start(() -> {
                spinning.countDown();
                while (!stop.get()) {
                    Go.checkpoint(); // the only way to yield: no park in this loop
                }
            });
            try {
                assertTrue(spinning.await(30, TimeUnit.SECONDS));
                java.util.concurrent.CompletableFuture<Integer> f =
                        java.util.concurrent.CompletableFuture.supplyAsync(() -> rt.run(() -> 42));
                assertEquals(42, f.get(30, TimeUnit.SECONDS));
            } finally {
                stop.set(true);
            }
            assertTrue(spinner.join(java.time.Duration.ofSeconds(30)));
        }
    }

    /** Thread.yield, ReentrantLock and synchronized hand the M over between virtual threads. */
    @Test
    void pingPongOverSynchronousQueue() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtpp").procs(2).build()) {
            SynchronousQueue<Integer> ping = new SynchronousQueue<>();
            SynchronousQueue<Integer> pong = new SynchronousQueue<>();
            int rounds = 20_000;
            Thread echo = rt.virtualThreadBuilder().start(() -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        pong.put(ping.take() + 1);
                    }
                } catch (InterruptedException e) {
                    // ends
                }
            });
            try (ExecutorService ex = rt.newVirtualThreadPerTaskExecutor()) {
                Future<Long> f = ex.submit(() -> {
                    long s = 0;
                    for (int i = 0; i < rounds; i++) {
                        ping.put(i);
                        s += pong.take();
                    }
                    return s;
                });
                assertEquals((long) rounds * (rounds + 1) / 2, f.get(60, TimeUnit.SECONDS));
            }
            assertTrue(echo.join(java.time.Duration.ofSeconds(30)));
        }
    }

    /** WaitGroup from virtual threads: Go's sync types park them too. */
    @Test
    void waitGroupAcrossVirtualThreadsAndGoroutines() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtwg").procs(2).build()) {
            WaitGroup wg = new WaitGroup();
            AtomicInteger n = new AtomicInteger();
            rt.run(() -> wg.add(20)); // WaitGroup.add needs a goroutine (or a virtual thread of the runtime)
            for (int i = 0; i < 10; i++) {
                rt.go(() -> {
                    n.incrementAndGet();
                    wg.done();
                });
                rt.virtualThreadBuilder().start(() -> {
                    n.incrementAndGet();
                    wg.done();
                });
            }
            Thread waiter = rt.virtualThreadBuilder().start(wg::await);
            assertTrue(waiter.join(java.time.Duration.ofSeconds(30)));
            assertEquals(20, n.get());
        }
    }
}
