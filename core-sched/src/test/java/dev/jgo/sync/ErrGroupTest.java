package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.context.Context;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ports of {@code golang.org/x/sync/errgroup/errgroup_test.go}. */
@Timeout(30)
class ErrGroupTest {

    private GoRuntime rt;

    @BeforeEach
    void start() {
        rt = GoRuntime.builder().procs(2).build();
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** Go's TestZeroGroup: await returns the first failure; the zero group's context is background. */
    @Test
    void zeroGroup() {
        rt.run(() -> {
            Exception err1 = new Exception("errgroup_test: 1");
            Exception err2 = new Exception("errgroup_test: 2");
            Object[][] cases = {{}, {null}, {err1}, {err1, null}, {err1, null, err2}};
            for (Object[] errs : cases) {
                ErrGroup g = new ErrGroup();
                assertSame(Context.background(), g.context());
                Throwable firstErr = null;
                for (int i = 0; i < errs.length; i++) {
                    Exception err = (Exception) errs[i];
                    g.go(() -> {
                        if (err != null) {
                            throw err;
                        }
                        return null;
                    });
                    if (firstErr == null && err != null) {
                        firstErr = err;
                    }
                    Throwable gErr = g.await();
                    assertSame(firstErr, gErr, "after " + (i + 1) + " tasks");
                }
            }
        });
    }

    /** Go's TestWithContext: the first failure cancels the context; await cancels it anyway. */
    @Test
    void withContext() {
        rt.run(() -> {
            Exception errDoom = new Exception("group_test: doomed");
            Object[][] cases = {{}, {null}, {errDoom}, {errDoom, null}, {null, errDoom}};
            for (Object[] errs : cases) {
                ErrGroup g = ErrGroup.withContext(Context.background());
                Context ctx = g.context();
                for (Object e : errs) {
                    Exception err = (Exception) e;
                    g.go(() -> {
                        if (err != null) {
                            throw err;
                        }
                        return null;
                    });
                }
                Throwable want = errs.length > 0 && (errs[0] != null || errs.length > 1) ? errDoom : null;
                assertSame(want, g.await());
                assertTrue(ctx.done().tryRecv() != null, "context not cancelled after await");
                assertSame(Context.CANCELED, ctx.err());
            }
        });
    }

    /** The first failure cancels the group's context while other tasks still run. */
    @Test
    void firstFailureCancelsSiblings() {
        rt.run(() -> {
            ErrGroup g = ErrGroup.withContext(Context.background());
            AtomicInteger sawCancel = new AtomicInteger();
            for (int i = 0; i < 5; i++) {
                g.go(() -> {
                    g.context().done().recv(); // closed once a sibling fails
                    sawCancel.incrementAndGet();
                    return null;
                });
            }
            IllegalStateException boom = new IllegalStateException("boom");
            g.go(() -> {
                throw boom;
            });
            assertSame(boom, g.await());
            assertEquals(5, sawCancel.get());
        });
    }

    /** Go's TestTryGo. */
    @Test
    void tryGo() {
        rt.run(() -> {
            ErrGroup g = new ErrGroup();
            int n = 42;
            g.setLimit(42);
            Chan<Object> ch = Chan.make(0);
            for (int i = 0; i < n; i++) {
                assertTrue(
                        g.tryGo(() -> {
                            ch.send(Boolean.TRUE);
                            return null;
                        }),
                        "tryGo should succeed, got " + i);
            }
            assertFalse(g.tryGo(() -> null), "tryGo is expected to fail but succeeded");
            Go.go(() -> {
                for (int i = 0; i < n; i++) {
                    ch.recv();
                }
            });
            g.await();
            g.setLimit(1);
            assertTrue(g.tryGo(() -> null), "should not fail");
            g.await();
            assertTrue(g.tryGo(() -> {
                ch.send(Boolean.TRUE);
                return null;
            }));
            assertFalse(g.tryGo(() -> null));
            ch.recv();
            g.await();
            g.setLimit(0);
            assertFalse(g.tryGo(() -> null), "a limit of 0 admits nothing");
        });
    }

    /** Go's TestGoLimit: at most the limit run at once. */
    @Test
    void goLimit() {
        rt.run(() -> {
            int limit = 10;
            ErrGroup g = new ErrGroup();
            g.setLimit(limit);
            AtomicInteger active = new AtomicInteger();
            AtomicInteger max = new AtomicInteger();
            for (int i = 0; i <= 1 << 10; i++) {
                g.go(() -> {
                    int n = active.incrementAndGet();
                    max.accumulateAndGet(n, Math::max);
                    Go.yield();
                    active.decrementAndGet();
                    return null;
                });
            }
            assertNull(g.await());
            assertTrue(max.get() <= limit, "more than " + limit + " at once: " + max.get());
            assertTrue(max.get() > 0);
        });
    }

    /** setLimit while tasks run fails; a negative limit removes it. */
    @Test
    void setLimitWhileActive() {
        rt.run(() -> {
            ErrGroup g = new ErrGroup();
            g.setLimit(2);
            Chan<Object> release = Chan.make(0);
            g.go(() -> release.recv());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.setLimit(3));
            assertEquals("errgroup: modify limit while 1 goroutines in the group are still active", e.getMessage());
            release.close();
            g.await();
            g.setLimit(-1);
            for (int i = 0; i < 100; i++) {
                assertTrue(g.tryGo(() -> null));
            }
            assertNull(g.await());
        });
    }
}
