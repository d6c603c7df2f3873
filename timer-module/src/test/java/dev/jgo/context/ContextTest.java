package dev.jgo.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.RecvChan;
import dev.jgo.sync.Select;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ports of Go's {@code context/context_test.go} (and x_test.go), bounded in time. */
@Timeout(60)
class ContextTest {

    private GoRuntime rt;

    @BeforeEach
    void start() {
        rt = GoRuntime.builder().procs(2).build();
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    static boolean isDone(Context c) {
        return c.done().tryRecv() != null;
    }

    /** Go's TestBackground and TestTODO. */
    @Test
    void backgroundAndTodo() {
        for (Context c : new Context[] {Context.background(), Context.todo()}) {
            assertNotNull(c);
            assertSame(Chan.nil(), c.done());
            assertNull(c.err());
            assertEquals(Optional.empty(), c.deadline());
            assertNull(c.value("k"));
            assertFalse(isDone(c));
        }
        assertEquals("context.Background", Context.background().toString());
        assertEquals("context.TODO", Context.todo().toString());
    }

    /** Go's TestWithCancel: cancel reaches a child through a user-written context at once. */
    @Test
    void withCancel() {
        CancelContext c1 = Context.withCancel(Context.background());
        Context o = new OtherContext(c1);
        CancelContext c2 = Context.withCancel(o);
        Context[] contexts = {c1, o, c2};
        for (Context c : contexts) {
            assertNotNull(c.done());
            assertNull(c.err());
            assertFalse(isDone(c));
        }
        c1.cancel();
        // No sleep, unlike Go's test: cancel() closes every descendant before it returns.
        for (Context c : contexts) {
            assertTrue(isDone(c), c + " not done");
            assertSame(Context.CANCELED, c.err());
        }
        assertEquals(0, ((CancelCtx) c1).childCount());
        c1.cancel(); // idempotent
        c2.cancel();
        assertSame(Context.CANCELED, c2.err());
    }

    /** Go's TestParentFinishesChild: cancelling the parent cancels and detaches its children. */
    @Test
    void parentFinishesChild() {
        rt.run(() -> {
            CancelContext parent = Context.withCancel(Context.background());
            CancelCtx p = (CancelCtx) parent;
            CancelContext cancelChild = Context.withCancel(parent);
            Context valueChild = Context.withValue(parent, "key", "value");
            CancelContext timerChild = Context.withTimeout(valueChild, Duration.ofHours(24));
            CancelContext afterStop = Context.withCancel(parent);
            assertEquals(3, p.childCount(), "cancelChild, timerChild (through the value), afterStop");
            afterStop.cancel();
            assertEquals(2, p.childCount());
            Context[] all = {parent, cancelChild, valueChild, timerChild};
            for (Context c : all) {
                assertFalse(isDone(c));
                assertNull(c.err());
            }
            assertTrue(((TimerCtx) timerChild).deadline().isPresent());
            parent.cancel();
            for (Context c : all) {
                assertTrue(isDone(c), c + " not done");
                assertSame(Context.CANCELED, c.err());
            }
            assertEquals(0, p.childCount());
            assertEquals(0, ((CancelCtx) cancelChild).childCount());
            // a child of a cancelled context is cancelled at birth, and not attached
            CancelContext precanceledChild = Context.withCancel(parent);
            assertTrue(isDone(precanceledChild));
            assertSame(Context.CANCELED, precanceledChild.err());
            assertEquals(0, p.childCount());
        });
    }

    /** Go's TestChildFinishesFirst: a child cancelled first leaves its parent live and detached. */
    @Test
    void childFinishesFirst() {
        CancelContext cancelable = Context.withCancel(Context.background());
        for (Context parent : new Context[] {Context.background(), cancelable}) {
            CancelContext child = Context.withCancel(parent);
            if (parent == cancelable) {
                assertEquals(1, ((CancelCtx) cancelable).childCount());
            }
            child.cancel();
            assertTrue(isDone(child));
            assertSame(Context.CANCELED, child.err());
            assertFalse(isDone(parent));
            assertNull(parent.err());
            if (parent == cancelable) {
                assertEquals(0, ((CancelCtx) cancelable).childCount());
            }
        }
        cancelable.cancel();
    }

    /** Go's TestDeadline: the deadline closes done with DEADLINE_EXCEEDED. */
    @Test
    void deadline() {
        rt.run(() -> {
            CancelContext c =
                    Context.withDeadline(Context.background(), Instant.now().plusMillis(50));
            assertTrue(c.toString().startsWith("context.Background.WithDeadline("), c.toString());
            testDeadline(c, "WithDeadline", Duration.ofSeconds(20));

            CancelContext c2 =
                    Context.withDeadline(Context.background(), Instant.now().plusMillis(50));
            Context o = new OtherContext(c2);
            testDeadline(o, "WithDeadline+otherContext", Duration.ofSeconds(20));

            CancelContext c3 =
                    Context.withDeadline(Context.background(), Instant.now().plusMillis(50));
            CancelContext c4 =
                    Context.withDeadline(new OtherContext(c3), Instant.now().plusSeconds(3600));
            testDeadline(c4, "WithDeadline+otherContext+WithDeadline", Duration.ofSeconds(20));

            CancelContext c5 =
                    Context.withDeadline(Context.background(), Instant.now().minusMillis(1));
            testDeadline(c5, "WithDeadline+inthepast", Duration.ofSeconds(1));
            CancelContext c6 = Context.withDeadline(Context.background(), Instant.now());
            testDeadline(c6, "WithDeadline+now", Duration.ofSeconds(1));
        });
    }

    /** Go's testDeadline: done closes within {@code wait}, and err is DEADLINE_EXCEEDED. */
    private static void testDeadline(Context c, String name, Duration wait) {
        boolean[] timedOut = {false};
        Select.create()
                .recv(dev.jgo.time.Time.after(wait), v -> timedOut[0] = true)
                .recv(c.done(), v -> {})
                .select();
        assertFalse(timedOut[0], name + ": context not timed out after " + wait);
        assertSame(Context.DEADLINE_EXCEEDED, c.err(), name);
    }

    /** Go's TestTimeout and TestCanceledTimeout. */
    @Test
    void timeoutAndCanceledTimeout() {
        rt.run(() -> {
            CancelContext c = Context.withTimeout(Context.background(), Duration.ofMillis(50));
            testDeadline(c, "WithTimeout", Duration.ofSeconds(20));
            assertSame(Context.DEADLINE_EXCEEDED, Context.cause(c));

            CancelContext c2 = Context.withTimeout(Context.background(), Duration.ofSeconds(1));
            Context o = new OtherContext(c2);
            CancelContext c3 = Context.withTimeout(o, Duration.ofSeconds(2));
            c3.cancel();
            assertTrue(isDone(c3));
            assertSame(Context.CANCELED, c3.err());
            assertFalse(isDone(c2));
            c2.cancel();
            // a huge timeout saturates
            CancelContext far = Context.withTimeout(Context.background(), Duration.ofSeconds(Long.MAX_VALUE));
            assertFalse(isDone(far));
            far.cancel();
        });
    }

    /** A child's deadline never outlives its parent's: the earlier one wins. */
    @Test
    void childInheritsAnEarlierParentDeadline() {
        rt.run(() -> {
            Instant soon = Instant.now().plusMillis(50);
            CancelContext parent = Context.withDeadline(Context.background(), soon);
            CancelContext child = Context.withTimeout(parent, Duration.ofHours(1));
            assertEquals(Optional.of(soon), child.deadline());
            testDeadline(child, "child of a sooner deadline", Duration.ofSeconds(20));
            assertSame(Context.DEADLINE_EXCEEDED, Context.cause(child));
            Instant later = Instant.now().plusSeconds(7200);
            CancelContext p2 = Context.withDeadline(Context.background(), later);
            Instant earlier = Instant.now().plusSeconds(3600);
            CancelContext c2 = Context.withDeadline(p2, earlier);
            assertEquals(Optional.of(earlier), c2.deadline());
            p2.cancel();
            assertSame(Context.CANCELED, c2.err());
        });
    }

    /** Go's TestValues: lookups walk up; a nearer binding (even to null) shadows. */
    @Test
    void values() {
        record Key(int k) {}
        Key k1 = new Key(1);
        Key k2 = new Key(2);
        Key k3 = new Key(3);
        Context c0 = Context.background();
        Context c1 = Context.withValue(c0, k1, "c1k1");
        Context c2 = Context.withValue(c1, k2, "c2k2");
        Context c3 = Context.withValue(c2, k3, "c3k3");
        Context c4 = Context.withValue(c3, k1, null);
        CancelContext c5 = Context.withCancel(c4);
        Context o0 = new OtherContext(c5);
        Context o1 = Context.withValue(o0, new Key(1), "c1k1-again"); // equal key, other object
        assertNull(c0.value(k1));
        assertEquals("c1k1", c1.value(k1));
        assertNull(c1.value(k2));
        assertEquals("c2k2", c2.value(k2));
        assertEquals("c1k1", c3.value(new Key(1)), "keys compare with equals");
        assertEquals("c3k3", c3.value(k3));
        assertNull(c4.value(k1), "a null value shadows the outer one");
        assertEquals("c2k2", c4.value(k2));
        assertNull(c5.value(k1));
        assertEquals("c3k3", o0.value(k3));
        assertEquals("c1k1-again", o1.value(k1));
        c5.cancel();
    }

    /** A chain of 10^5 nested contexts is created, searched and cancelled without recursion. */
    @Test
    void deepChains() {
        rt.run(() -> {
            CancelContext root = Context.withCancel(Context.background());
            Context c = Context.withValue(root, "bottom", 1);
            for (int i = 0; i < 100_000; i++) {
                c = i % 2 == 0 ? Context.withCancel(c) : Context.withValue(c, i, i);
            }
            assertEquals(1, c.value("bottom"));
            assertNull(c.value("absent"));
            assertEquals(Optional.empty(), c.deadline());
            CancelContext t = Context.withTimeout(c, Duration.ofHours(1));
            assertTrue(t.deadline().isPresent());
            root.cancel();
            assertSame(Context.CANCELED, t.err());
            assertSame(Context.CANCELED, c.err());
            assertTrue(isDone(c));
        });
    }

    /** Go's TestWithValueChecksKey and the nil-parent checks. */
    @Test
    void badArguments() {
        assertThrows(NullPointerException.class, () -> Context.withValue(Context.background(), null, "v"));
        assertThrows(NullPointerException.class, () -> Context.withValue(null, "k", "v"));
        assertThrows(NullPointerException.class, () -> Context.withCancel(null));
        assertThrows(NullPointerException.class, () -> Context.background().value(null));
        assertThrows(
                NullPointerException.class,
                () -> Context.withCancel(Context.background()).value(null));
        assertThrows(
                NullPointerException.class,
                () -> Context.withValue(Context.todo(), "k", 1).value(null));
        assertThrows(NullPointerException.class, () -> rt.run(() -> Context.withTimeout(null, Duration.ofSeconds(1))));
        assertThrows(NullPointerException.class, () -> rt.run(() -> Context.withDeadline(null, Instant.now())));
    }

    /** A deadline needs a goroutine (for its timer): outside one, nothing is left attached. */
    @Test
    void deadlineOutsideAGoroutineFailsCleanly() {
        CancelContext parent = Context.withCancel(Context.background());
        assertThrows(IllegalStateException.class, () -> Context.withTimeout(parent, Duration.ofSeconds(1)));
        assertEquals(0, ((CancelCtx) parent).childCount());
        parent.cancel();
    }

    /** Go's TestCause (the cases without WithCancelCause). */
    @Test
    void cause() {
        rt.run(() -> {
            assertNull(Context.cause(Context.background()));
            CancelContext c = Context.withCancel(Context.background());
            assertNull(Context.cause(c));
            Context v = Context.withValue(c, "k", "v");
            c.cancel();
            assertSame(Context.CANCELED, Context.cause(c));
            assertSame(Context.CANCELED, Context.cause(v));
            CancelContext t = Context.withTimeout(Context.background(), Duration.ZERO);
            CancelContext child = Context.withCancel(t);
            assertSame(Context.DEADLINE_EXCEEDED, Context.cause(child));
            assertSame(Context.DEADLINE_EXCEEDED, child.err());
            Context o = new OtherContext(t);
            assertSame(Context.DEADLINE_EXCEEDED, Context.cause(o));
        });
    }

    /** The shared errors are CancellationExceptions with Go's messages. */
    @Test
    void sharedErrors() {
        assertEquals("context canceled", Context.CANCELED.getMessage());
        assertEquals("context deadline exceeded", Context.DEADLINE_EXCEEDED.getMessage());
        assertTrue(Context.CANCELED != Context.DEADLINE_EXCEEDED);
    }

    /** A context with a foreign done channel costs one watcher goroutine, which ends with it. */
    @Test
    void foreignDoneChannel() {
        rt.run(() -> {
            Chan<Object> foreign = Chan.make(0);
            Context user = new Context() {
                @Override
                public RecvChan<?> done() {
                    return foreign;
                }

                @Override
                public Throwable err() {
                    return foreign.tryRecv() != null ? Context.CANCELED : null;
                }

                @Override
                public Optional<Instant> deadline() {
                    return Optional.empty();
                }

                @Override
                public Object value(Object key) {
                    return null;
                }
            };
            int before = rt.numGoroutine();
            CancelContext child = Context.withCancel(user);
            assertEquals(before + 1, rt.numGoroutine(), "one watcher");
            foreign.close();
            Select.create().recv(child.done(), v -> {}).select(); // the watcher cancels it
            assertSame(Context.CANCELED, child.err());
            waitGoroutines(before);
            // cancelling the child first ends the watcher too
            Chan<Object> foreign2 = Chan.make(0);
            Context u2 = new Context() {
                @Override
                public RecvChan<?> done() {
                    return foreign2;
                }

                @Override
                public Throwable err() {
                    return null;
                }

                @Override
                public Optional<Instant> deadline() {
                    return Optional.empty();
                }

                @Override
                public Object value(Object key) {
                    return null;
                }
            };
            CancelContext c2 = Context.withCancel(u2);
            assertEquals(before + 1, rt.numGoroutine());
            c2.cancel();
            waitGoroutines(before);
        });
    }

    private void waitGoroutines(int n) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (rt.numGoroutine() != n) {
            assertTrue(System.nanoTime() < deadline, "goroutines: " + rt.numGoroutine() + ", want " + n);
            Go.yield();
        }
    }

    /** done() is a receive case in a select, closed (receives null), never sent on. */
    @Test
    void doneInSelect() {
        rt.run(() -> {
            CancelContext c = Context.withCancel(Context.background());
            Chan<Integer> work = Chan.make(0);
            Chan<String> out = Chan.make(1);
            Go.go(() -> {
                for (; ; ) {
                    boolean[] stop = {false};
                    Select.create()
                            .recv(work, v -> {})
                            .recvOk(c.done(), r -> stop[0] = !r.ok())
                            .select();
                    if (stop[0]) {
                        out.send("stopped: " + c.err().getMessage());
                        return;
                    }
                }
            });
            work.send(1);
            work.send(2);
            c.cancel();
            assertEquals("stopped: context canceled", out.recv());
            assertNull(c.done().recv(), "a closed done receives at once");
        });
    }
}
