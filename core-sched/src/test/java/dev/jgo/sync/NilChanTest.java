package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Go's nil channel and the directional channel types, with ports of the nil-channel programs of
 * Go's {@code test/chan} (select5-style merging that disables a drained input by setting it to
 * nil) and {@code test/chan/nonblock.go}.
 */
@Timeout(30)
class NilChanTest {

    private GoRuntime rt;

    @BeforeEach
    void start() {
        rt = GoRuntime.builder().procs(2).build();
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void nonBlockingOperationsOnNil() {
        Chan<Integer> c = Chan.nil();
        assertSame(c, Chan.<String>nil(), "one shared instance");
        assertFalse(c.trySend(1));
        assertNull(c.tryRecv());
        assertEquals(0, c.len());
        assertEquals(0, c.cap());
        ClosedChannelException e = assertThrows(ClosedChannelException.class, c::close);
        assertEquals("close of nil channel", e.getMessage());
        assertThrows(NullPointerException.class, () -> c.trySend(null));
    }

    @Test
    void receiveOnNilIsADeadlock() {
        assertThrows(
                DeadlockException.class,
                () -> rt.run(() -> {
                    Chan.nil().recv();
                }));
    }

    @Test
    void sendOnNilIsADeadlock() {
        assertThrows(
                DeadlockException.class,
                () -> rt.run(() -> {
                    Chan.<Integer>nil().send(1);
                }));
    }

    /** Deadlock detection counts goroutines blocked on nil channels alongside the others. */
    @Test
    void goroutinesBlockedOnNilCountAsAsleep() {
        assertThrows(
                DeadlockException.class,
                () -> rt.run(() -> {
                    for (int i = 0; i < 10; i++) {
                        Go.go(() -> Chan.<Integer>nil().send(1));
                        Go.go(() -> Chan.nil().recvOk());
                        Go.go(() -> {
                            for (Object o : Chan.nil()) {
                                throw new AssertionError("received " + o);
                            }
                        });
                    }
                    Chan.make(0).recv();
                }));
    }

    /** A select case on nil is never ready; with only nil cases and a default, the default runs. */
    @Test
    void selectSkipsNil() {
        rt.run(() -> {
            AtomicInteger got = new AtomicInteger();
            for (int i = 0; i < 100; i++) {
                Chan<Integer> ready = Chan.make(1);
                ready.send(7);
                int which = Select.create()
                        .recv(Chan.<Integer>nil(), v -> got.set(-1))
                        .send(Chan.<Integer>nil(), 3, () -> got.set(-2))
                        .recv(ready, got::set)
                        .select();
                assertEquals(2, which);
                assertEquals(7, got.get());
            }
            int which = Select.create()
                    .recv(Chan.nil(), v -> {})
                    .send(Chan.<Integer>nil(), 3, () -> {})
                    .otherwise(() -> got.set(99))
                    .select();
            assertEquals(-1, which);
            assertEquals(99, got.get());
        });
        assertThrows(
                DeadlockException.class,
                () -> rt.run(() -> {
                    Select.create().recv(Chan.nil(), v -> {}).select(); // Go's select on nil only: forever
                }));
    }

    /**
     * The nil-channel idiom of Go's test programs: merge two channels, setting each to nil once
     * it is closed so its case stops being chosen.
     */
    @Test
    void mergeDisablesDrainedInputsWithNil() {
        long sum = rt.run(() -> {
            RecvChan<Integer> a = produce(1, 100);
            RecvChan<Integer> b = produce(1000, 50);
            long total = 0;
            @SuppressWarnings("unchecked")
            RecvChan<Integer>[] in = new RecvChan[] {a, b};
            while (in[0] != Chan.<Integer>nil() || in[1] != Chan.<Integer>nil()) {
                long[] v = {0};
                Select.create()
                        .recvOk(in[0], r -> {
                            if (r.ok()) {
                                v[0] = r.value();
                            } else {
                                in[0] = Chan.nil();
                            }
                        })
                        .recvOk(in[1], r -> {
                            if (r.ok()) {
                                v[0] = r.value();
                            } else {
                                in[1] = Chan.nil();
                            }
                        })
                        .select();
                total += v[0];
            }
            return total;
        });
        long want = 0;
        for (int i = 0; i < 100; i++) {
            want += 1 + i;
        }
        for (int i = 0; i < 50; i++) {
            want += 1000 + i;
        }
        assertEquals(want, sum);
    }

    /** Directional types: a producer sees a SendChan, a consumer a RecvChan. */
    private static RecvChan<Integer> produce(int base, int n) {
        Chan<Integer> c = Chan.make(3);
        Go.go(() -> fill(c, base, n));
        return c;
    }

    private static void fill(SendChan<Integer> out, int base, int n) {
        for (int i = 0; i < n; i++) {
            out.send(base + i);
        }
        assertTrue(out.cap() == 3 && out.len() <= 3);
        out.close();
    }

    @Test
    void directionalViews() {
        rt.run(() -> {
            Chan<String> c = Chan.make(2);
            SendChan<String> s = c;
            RecvChan<String> r = c;
            assertTrue(s.trySend("a"));
            s.send("b");
            assertFalse(s.trySend("c"));
            assertEquals(2, r.len());
            assertEquals("a", r.recv());
            assertEquals("b", r.tryRecv().value());
            assertNull(r.tryRecv());
            s.close();
            assertFalse(r.recvOk().ok());
            int n = 0;
            for (String ignored : r) {
                n++;
            }
            assertEquals(0, n);
            assertThrows(
                    ClosedChannelException.class,
                    () -> Select.create()
                            .send(s, "x", () -> {})
                            .otherwise(() -> {})
                            .select());
        });
    }
}
