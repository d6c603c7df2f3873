package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.RuntimeConfig;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Received;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Absurd sizes get a clear IllegalArgumentException before anything is allocated, never an
 * OutOfMemoryError (issue 18, item 7); a channel's buffer grows with what it holds.
 */
@Timeout(60)
class BoundsTest {

    private static void assertRefused(String mention, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(mention), x.getMessage());
    }

    @Test
    void procsAreBounded() {
        assertRefused("MAX_PROCS", () -> GoRuntime.builder().procs(Integer.MAX_VALUE));
        assertRefused("MAX_PROCS", () -> GoRuntime.builder().procs(1 << 24));
        assertRefused("MAX_PROCS", () -> GoRuntime.builder().procs(RuntimeConfig.MAX_PROCS + 1));
        assertRefused("at least 1", () -> GoRuntime.builder().procs(0));
        assertEquals(
                RuntimeConfig.MAX_PROCS,
                GoRuntime.builder().procs(RuntimeConfig.MAX_PROCS).config().procs());
        assertRefused(
                "MAX_PROCS",
                () -> new RuntimeConfig(
                        "x",
                        RuntimeConfig.MAX_PROCS + 1,
                        RuntimeConfig.MAX_THREADS,
                        dev.jgo.spi.StealPolicy.go(),
                        dev.jgo.spi.SpinPolicy.go(),
                        dev.jgo.spi.FairnessPolicy.go(),
                        null,
                        null,
                        false));
    }

    @Test
    void maxThreadsAreBounded() {
        assertRefused("MAX_THREADS", () -> GoRuntime.builder().maxThreads(Integer.MAX_VALUE));
        assertRefused("MAX_THREADS", () -> GoRuntime.builder().maxThreads(RuntimeConfig.MAX_THREADS + 1));
        assertRefused("MAX_THREADS", () -> GoRuntime.builder().maxThreads(1));
        assertEquals(
                RuntimeConfig.MAX_THREADS,
                GoRuntime.builder()
                        .maxThreads(RuntimeConfig.MAX_THREADS)
                        .config()
                        .maxThreads());
    }

    @Test
    void gomaxprocsIsBoundedWhileRunning() {
        try (GoRuntime rt = GoRuntime.builder()
                .procs(2)
                .maxThreads(RuntimeConfig.MAX_THREADS)
                .build()) {
            assertRefused("MAX_PROCS", () -> rt.gomaxprocs(Integer.MAX_VALUE));
            assertRefused("MAX_PROCS", () -> rt.gomaxprocs(1 << 24));
            assertEquals(2, rt.gomaxprocs());
            assertEquals(3, rt.run(() -> 1 + 2), "the runtime is unharmed");
        }
    }

    @Test
    void channelCapacityIsBoundedAndItsBufferGrowsWithItsContents() {
        assertRefused("size out of range", () -> Chan.make(Integer.MAX_VALUE));
        assertRefused("size out of range", () -> Chan.make(Chan.MAX_CAPACITY + 1));
        assertRefused("size out of range", () -> Chan.make(-1));
        Chan<Integer> c = Chan.make(Chan.MAX_CAPACITY); // costs what it holds, not what it may hold
        assertEquals(Chan.MAX_CAPACITY, c.cap());
        for (int i = 0; i < 10_000; i++) {
            assertTrue(c.trySend(i));
        }
        assertEquals(10_000, c.len());
        for (int i = 0; i < 10_000; i++) {
            assertEquals(i, c.tryRecv().value());
        }
        assertNull(c.tryRecv(), "empty");
    }

    /** FIFO across growth while the ring has wrapped, up to a full buffer at its capacity. */
    @Test
    void aGrowingRingKeepsFifoOrder() {
        for (int cap : new int[] {65, 100, 1000, 4097}) {
            Chan<Integer> c = Chan.make(cap);
            int next = 0;
            int expect = 0;
            for (int round = 0; round < 4; round++) {
                while (c.len() < cap * 2 / 3) { // fill part way
                    assertTrue(c.trySend(next++));
                }
                for (int i = 0; i < cap / 2; i++) { // drain some: the ring wraps on the next fill
                    assertEquals(expect++, c.tryRecv().value());
                }
            }
            while (c.trySend(next)) { // fill to capacity: grows with the ring wrapped
                next++;
            }
            assertEquals(cap, c.len());
            Received<Integer> r;
            while ((r = c.tryRecv()) != null) {
                assertEquals(expect++, r.value());
            }
            assertEquals(next, expect, "cap " + cap);
        }
    }

    /** A receive from a full grown buffer with senders waiting takes the head and refills the tail. */
    @Test
    void blockedSendersOnAGrownBufferStayInOrder() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            int got = rt.run(() -> {
                Chan<Integer> c = Chan.make(100);
                for (int i = 0; i < 100; i++) {
                    c.send(i);
                }
                Go.go(() -> {
                    for (int i = 100; i < 110; i++) {
                        c.send(i); // blocks: the buffer is full
                    }
                });
                Go.yield();
                for (int i = 0; i < 110; i++) {
                    int v = c.recv();
                    if (v != i) {
                        throw new AssertionError("got " + v + ", expected " + i);
                    }
                }
                return 110;
            });
            assertEquals(110, got);
        }
    }
}
