package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Mutex;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Virtual threads and goroutines of one runtime mixing every kind of wait at random (jgo
 * channels both ways, a jgo Mutex, SynchronousQueue, ReentrantLock, synchronized, Thread.yield,
 * Thread.sleep), on 1 to 3 Ps: every hand-off completes (no lost submission, no double run), and
 * the runtime counts nothing left afterwards.
 */
@Timeout(180)
class VirtualThreadsStressTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    @Test
    void randomWaitsBetweenVirtualThreadsAndGoroutines() throws Exception {
        for (int procs = 1; procs <= 3; procs++) {
            for (int round = 0; round < 2 * STRESS; round++) {
                runRound(procs, 1000L * procs + round);
            }
        }
    }

    private static void runRound(int procs, long seed) throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtstress").procs(procs).build()) {
            int pairs = 8;
            int ops = 300;
            Chan<Long> toG = Chan.make(0);
            Chan<Long> toVt = Chan.make(1);
            SynchronousQueue<Long> sq = new SynchronousQueue<>();
            ReentrantLock lock = new ReentrantLock();
            Mutex mu = new Mutex();
            Object monitor = new Object();
            long[] shared = new long[1];
            AtomicLong gotByG = new AtomicLong();
            AtomicLong gotByVt = new AtomicLong();
            AtomicLong sqSum = new AtomicLong();
            List<Thread> ts = new ArrayList<>();
            // goroutines: receive what the virtual threads send, answer on toVt
            for (int i = 0; i < pairs; i++) {
                rt.go(() -> {
                    for (int k = 0; k < ops; k++) {
                        long v = toG.recv();
                        gotByG.addAndGet(v);
                        toVt.send(v);
                    }
                });
            }
            for (int i = 0; i < pairs; i++) {
                long s = seed * 31 + i;
                ts.add(rt.virtualThreadBuilder().name("stress-" + i).start(() -> {
                    SplittableRandom r = new SplittableRandom(s);
                    for (int k = 0; k < ops; k++) {
                        toG.send((long) k);
                        gotByVt.addAndGet(toVt.recv());
                        switch (r.nextInt(6)) {
                            case 0 -> Thread.yield();
                            case 1 -> {
                                lock.lock();
                                try {
                                    shared[0]++;
                                } finally {
                                    lock.unlock();
                                }
                            }
                            case 2 -> {
                                synchronized (monitor) {
                                    shared[0]++;
                                }
                            }
                            case 3 -> {
                                mu.lock();
                                try {
                                    shared[0]++;
                                } finally {
                                    mu.unlock();
                                }
                            }
                            case 4 -> {
                                try {
                                    Thread.sleep(0, r.nextInt(100_000));
                                } catch (InterruptedException e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                            default -> {}
                        }
                    }
                }));
            }
            // a ping-pong over SynchronousQueue among the others
            ts.add(rt.virtualThreadBuilder().start(() -> {
                try {
                    for (long k = 0; k < ops; k++) {
                        sq.put(k);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            ts.add(rt.virtualThreadBuilder().start(() -> {
                try {
                    for (int k = 0; k < ops; k++) {
                        sqSum.addAndGet(sq.take());
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (Thread t : ts) {
                long left = Math.max(1, deadline - System.nanoTime());
                assertTrue(
                        t.join(java.time.Duration.ofNanos(left)),
                        "procs=" + procs + " seed=" + seed + ": " + t + " stuck in " + List.of(t.getStackTrace()));
            }
            long perThread = (long) ops * (ops - 1) / 2;
            assertEquals(pairs * perThread, gotByG.get(), "seed=" + seed);
            assertEquals(pairs * perThread, gotByVt.get(), "seed=" + seed);
            assertEquals(perThread, sqSum.get(), "seed=" + seed);
            while (rt.numGoroutine() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(0, rt.numGoroutine(), "seed=" + seed);
        }
    }
}
