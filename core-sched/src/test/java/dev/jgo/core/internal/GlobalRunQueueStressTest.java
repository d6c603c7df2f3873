package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link GlobalRunQueue} under producers and consumers at once: nothing lost, nothing taken
 * twice, each producer's goroutines taken in the order it put them, the length right at rest.
 */
@Timeout(60)
class GlobalRunQueueStressTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    private static G g(long id) {
        G g = new G();
        g.goid = id;
        return g;
    }

    @Test
    void fifoSingleThread() {
        GlobalRunQueue q = new GlobalRunQueue();
        assertNull(q.poll());
        G a = g(1);
        G b = g(2);
        G c = g(3);
        q.offer(a);
        q.offer(b);
        assertEquals(2, q.size());
        assertEquals(a, q.peek());
        assertEquals(a, q.poll());
        q.offer(c);
        assertEquals(List.of(b, c), new ArrayList<>(q));
        assertEquals(b, q.poll());
        assertEquals(c, q.poll());
        assertNull(q.poll());
        assertTrue(q.isEmpty());
        assertNull(a.runqNext, "a polled goroutine's link is cleared");
        q.offer(a); // and it may be put again
        assertEquals(a, q.poll());
        for (int i = 0; i < 10; i++) {
            q.offer(g(100 + i));
        }
        G[] dst = new G[8];
        assertEquals(4, q.take(4, dst)); // a batch, oldest first
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(dst[i].goid);
            assertNull(dst[i].runqNext, "a taken goroutine's link is cleared");
        }
        assertEquals(List.of(100L, 101L, 102L, 103L), ids);
        assertEquals(6, q.size());
        q.offer(g(200)); // behind the six still queued
        assertEquals(104, q.poll().goid);
        assertEquals(7 - 1, q.size());
        List<Long> rest = new ArrayList<>();
        for (G x; (x = q.poll()) != null; ) {
            rest.add(x.goid);
        }
        assertEquals(List.of(105L, 106L, 107L, 108L, 109L, 200L), rest);
    }

    @Test
    void batchesKeepPutOrderAndSplitAcrossTakes() {
        GlobalRunQueue q = new GlobalRunQueue();
        q.offer(g(1));
        q.offerBatch(new G[] {g(2), g(3), g(4), g(5), null}, 4); // the array may be longer
        q.offer(g(6));
        q.offerBatch(new G[] {g(7)}, 1);
        q.offerBatch(new G[] {g(8), g(9)}, 2);
        assertEquals(9, q.size());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), ids(new ArrayList<>(q)));
        G[] dst = new G[9];
        assertEquals(3, q.take(3, dst)); // one goroutine, then part of the batch
        assertEquals(List.of(1L, 2L, 3L), ids(List.of(dst[0], dst[1], dst[2])));
        assertEquals(6, q.size());
        assertEquals(4, q.peek().goid, "the rest of the batch stays at the head");
        q.offerBatch(new G[] {g(10), g(11)}, 2); // behind everything queued
        assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L), ids(new ArrayList<>(q)));
        assertEquals(2, q.take(2, dst));
        assertEquals(List.of(4L, 5L), ids(List.of(dst[0], dst[1])));
        assertEquals(6, q.take(9, dst));
        assertEquals(
                List.of(6L, 7L, 8L, 9L, 10L, 11L),
                ids(java.util.Arrays.asList(dst).subList(0, 6)));
        assertEquals(0, q.take(9, dst));
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
        assertThrows(IllegalArgumentException.class, () -> q.offerBatch(new G[2], 3));
        assertThrows(IllegalArgumentException.class, () -> q.offerBatch(new G[2], 0));
        assertTrue(q.isEmpty(), "a refused batch leaves the queue as it was");
    }

    private static List<Long> ids(List<G> gs) {
        List<Long> ids = new ArrayList<>();
        for (G x : gs) {
            ids.add(x.goid);
        }
        return ids;
    }

    @Test
    void producersAndConsumersLoseNothing() throws Exception {
        int producers = 3;
        int consumers = 3;
        int perProducer = 100_000 * STRESS;
        for (int round = 0; round < 3; round++) {
            GlobalRunQueue q = new GlobalRunQueue();
            G[][] gs = new G[producers][perProducer];
            for (int p = 0; p < producers; p++) {
                for (int i = 0; i < perProducer; i++) {
                    gs[p][i] = g((long) p * perProducer + i);
                }
            }
            int total = producers * perProducer;
            boolean[] seen = new boolean[total];
            long[][] lastPerProducer = new long[consumers][producers];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                G[] mine = gs[p];
                int seed = p;
                threads.add(new Thread(() -> {
                    try {
                        start.await();
                        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
                        for (int i = 0; i < mine.length; ) {
                            int n = Math.min(mine.length - i, rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(200) : 1);
                            if (n == 1) {
                                q.offer(mine[i]);
                            } else {
                                q.offerBatch(java.util.Arrays.copyOfRange(mine, i, i + n), n);
                            }
                            i += n;
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            for (int c = 0; c < consumers; c++) {
                long[] last = lastPerProducer[c];
                java.util.Arrays.fill(last, -1);
                threads.add(new Thread(() -> {
                    try {
                        start.await();
                        long deadline = System.nanoTime() + 30_000_000_000L;
                        while (taken.get() < total && System.nanoTime() < deadline) {
                            G g = q.poll();
                            if (g == null) {
                                Thread.onSpinWait();
                                continue;
                            }
                            int id = (int) g.goid;
                            synchronized (seen) {
                                if (seen[id]) {
                                    throw new AssertionError("goroutine " + id + " taken twice");
                                }
                                seen[id] = true;
                            }
                            int p = id / perProducer;
                            // one consumer sees each producer's goroutines in the order they were put
                            if (id <= last[p]) {
                                throw new AssertionError("producer " + p + ": " + id + " after " + last[p]);
                            }
                            last[p] = id;
                            taken.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            threads.forEach(Thread::start);
            start.countDown();
            for (Thread t : threads) {
                t.join(40_000);
                assertTrue(!t.isAlive(), "a thread did not finish");
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(total, taken.get());
            assertEquals(0, q.size());
            assertNull(q.poll());
        }
    }

    /**
     * isEmpty never says empty while goroutines are queued, also while a take moves a large inbox
     * into the list (the window that Lock-free readers closes). A checker reads the count of
     * completed puts, then isEmpty, then the count of completed takes: an empty answer is wrong if
     * more goroutines were put before it than were taken by then plus those the consumers may hold
     * between a take and their count.
     */
    @Test
    void isEmptyNeverHidesQueuedGoroutines() throws Exception {
        int consumers = 2;
        int total = 400_000 * STRESS;
        GlobalRunQueue q = new GlobalRunQueue();
        G[] gs = new G[total];
        for (int i = 0; i < total; i++) {
            gs[i] = g(i);
        }
        java.util.concurrent.atomic.AtomicInteger put = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger falseEmpty = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long deadline = System.nanoTime() + 30_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(
                () -> { // bursts, so that a take often moves hundreds at once
                    java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
                    int i = 0;
                    while (i < total && System.nanoTime() < deadline) {
                        int burst = Math.min(total - i, 1 + rnd.nextInt(1000));
                        for (int k = 0; k < burst; k++) {
                            q.offer(gs[i++]);
                            put.incrementAndGet();
                        }
                        while (put.get() - taken.get() > 2000 && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                    }
                }));
        for (int c = 0; c < consumers; c++) {
            threads.add(new Thread(() -> {
                G[] dst = new G[4];
                while (taken.get() < total && System.nanoTime() < deadline) {
                    taken.addAndGet(q.take(1 + (int) (System.nanoTime() & 3), dst));
                }
            }));
        }
        Thread checker = new Thread(() -> {
            try {
                while (!done.get() && System.nanoTime() < deadline) {
                    int p = put.get();
                    boolean empty = q.isEmpty();
                    int t = taken.get();
                    checks.incrementAndGet();
                    // a consumer holds at most 4 taken goroutines it has not counted yet
                    if (empty && p > t + consumers * 4) {
                        falseEmpty.incrementAndGet();
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        threads.forEach(Thread::start);
        checker.start();
        try {
            for (Thread t : threads) {
                t.join(40_000);
                assertTrue(!t.isAlive(), "a thread did not finish");
            }
        } finally {
            done.set(true);
            checker.join(10_000);
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(total, taken.get(), "every goroutine taken once");
        assertTrue(checks.get() > 1000, "the checker ran: " + checks.get());
        assertEquals(0, falseEmpty.get(), "isEmpty said empty with goroutines queued");
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
    }
}
