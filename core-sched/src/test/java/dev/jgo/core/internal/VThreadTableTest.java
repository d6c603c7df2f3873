package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * VThreadTable: every live thread is found by its thread, removed ones are not, the arrays grow and
 * keep their size, removed slots are reused or purged, and lock-free gets find their own threads while other
 * threads put, remove and rehash.
 */
@Timeout(120)
class VThreadTableTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);
    private static final int MIN = VThreadTable.STRIPES * VThreadTable.MIN_CAPACITY;

    /** An entry for a new unstarted virtual thread (the JDK numbers it after the last one made). */
    private static VThread vthread() {
        Runnable task = () -> {};
        return new VThread(null, task, Thread.ofVirtual().unstarted(task));
    }

    private static List<VThread> vthreads(int n) {
        List<VThread> vs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            vs.add(vthread());
        }
        return vs;
    }

    @Test
    void findsWhatWasPutAndNotWhatWasRemoved() {
        VThreadTable t = new VThreadTable();
        List<VThread> vs = vthreads(20_000);
        vs.forEach(t::put);
        assertEquals(vs.size(), t.size());
        assertTrue(t.capacity() >= vs.size() * 2, "capacity " + t.capacity());
        for (VThread v : vs) {
            assertSame(v, t.get(v.thread));
        }
        assertNull(t.get(Thread.ofVirtual().unstarted(() -> {})));
        for (int i = 0; i < vs.size(); i += 2) {
            t.remove(vs.get(i));
        }
        assertEquals(vs.size() / 2, t.size());
        for (int i = 0; i < vs.size(); i++) {
            VThread v = vs.get(i);
            if (i % 2 == 0) {
                assertNull(t.get(v.thread), "removed " + i);
            } else {
                assertSame(v, t.get(v.thread), "live " + i);
            }
        }
        for (int i = 1; i < vs.size(); i += 2) {
            t.remove(vs.get(i));
        }
        assertEquals(0, t.size());
        int peak = t.capacity();
        for (int i = 0; i < 1_000; i++) {
            VThread v = vthread();
            t.put(v);
            t.remove(v);
        }
        assertEquals(peak, t.capacity(), "the arrays keep their size for the next burst");
    }

    @Test
    void removedSlotsAreReusedOrPurgedWithoutGrowing() {
        VThreadTable t = new VThreadTable();
        VThread keep = vthread();
        t.put(keep);
        for (int i = 0; i < 100_000; i++) {
            VThread v = vthread();
            t.put(v);
            assertSame(v, t.get(v.thread));
            t.remove(v);
        }
        assertSame(keep, t.get(keep.thread));
        assertEquals(1, t.size());
        assertEquals(MIN, t.capacity(), "one live thread at a time never grows an array");
    }

    @Test
    void homesOfIdsMadeInARowSpreadOverTheArray() {
        int len = 1024;
        int[] hits = new int[len];
        for (long tid = 1000; tid < 1000 + 8L * len * VThreadTable.STRIPES; tid += VThreadTable.STRIPES) {
            int h = VThreadTable.home(tid, len);
            assertTrue(h >= 0 && h < len, "home " + h);
            hits[h]++;
        }
        int max = java.util.Arrays.stream(hits).max().orElseThrow();
        long empty = java.util.Arrays.stream(hits).filter(x -> x == 0).count();
        // 8 ids a slot on average: random homes put at most a few dozen on one and leave few empty
        assertTrue(max <= 32, "most ids on one slot: " + max);
        assertTrue(empty < len / 50, "empty slots: " + empty);
    }

    @Test
    void capacityIsAPowerOfTwoAtLeastFourTimesTheLiveThreads() {
        for (int live = 0; live < 5_000; live++) {
            int c = VThreadTable.capacityFor(live);
            assertEquals(1, Integer.bitCount(c), "live " + live);
            assertTrue(c >= 4 * live && c >= VThreadTable.MIN_CAPACITY, "live " + live + ": " + c);
            assertTrue(c == VThreadTable.MIN_CAPACITY || c < 8 * live, "live " + live + ": " + c);
        }
    }

    /**
     * Each thread puts its own threads, finds each of them with lock-free gets while the others
     * put, remove and rehash the same stripes, then removes them: a get never misses a thread put
     * before it.
     */
    @Test
    void getsFindTheirOwnThreadsWhileOthersRehash() throws Exception {
        int workers = 4;
        int rounds = 20 * STRESS;
        VThreadTable t = new VThreadTable();
        CyclicBarrier start = new CyclicBarrier(workers);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> ts = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int batch = 500 + 1500 * w; // different sizes: the stripes grow and purge at different times
            ts.add(Thread.ofPlatform().name("table-" + w).start(() -> {
                try {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        List<VThread> mine = vthreads(batch);
                        for (VThread v : mine) {
                            t.put(v);
                            if (t.get(v.thread) != v) {
                                throw new AssertionError("missed right after its put");
                            }
                        }
                        for (VThread v : mine) {
                            if (t.get(v.thread) != v) {
                                throw new AssertionError("missed a live thread");
                            }
                        }
                        for (VThread v : mine) {
                            t.remove(v);
                            if (t.get(v.thread) != null) {
                                throw new AssertionError("found after its remove");
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread th : ts) {
            assertTrue(th.join(java.time.Duration.ofSeconds(100)), th + " still running");
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(0, t.size());
    }
}
