package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.context.CancelContext;
import dev.jgo.context.Context;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ports of the context cases of {@code x/sync/semaphore/semaphore_test.go}. */
@Timeout(30)
class SemaphoreContextTest {

    private GoRuntime rt;

    @BeforeEach
    void start() {
        rt = GoRuntime.builder().procs(2).build();
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** Go's TestWeightedAcquire: a cancelled context fails even when units are free. */
    @Test
    void acquireWithCancelledContext() {
        rt.run(() -> {
            CancelContext ctx = Context.withCancel(Context.background());
            Semaphore sem = new Semaphore(2);
            sem.acquire(ctx, 1);
            sem.acquire(ctx, 1);
            CancelContext c2 = Context.withCancel(Context.background());
            Go.go(() -> {
                Go.yield();
                c2.cancel();
            });
            CancellationException e = assertThrows(CancellationException.class, () -> sem.acquire(c2, 1));
            assertSame(Context.CANCELED, e, "the very object ctx.err() returns");
            sem.release(2);
            assertEquals(0, sem.held());
            ctx.cancel();
            assertSame(Context.CANCELED, assertThrows(CancellationException.class, () -> sem.acquire(ctx, 1)));
            assertEquals(0, sem.held(), "a done context takes nothing");
        });
    }

    /** Go's TestWeightedDoesntBlockIfTooBig: a request over the size waits for the context only. */
    @Test
    void tooBigRequestEndsWithTheContext() {
        rt.run(() -> {
            int n = 2;
            Semaphore sem = new Semaphore(n);
            CancelContext ctx = Context.withCancel(Context.background());
            Chan<Throwable> done = Chan.make(1);
            Go.go(() -> {
                try {
                    sem.acquire(ctx, n + 1);
                    done.send(new AssertionError("acquired more than the size"));
                } catch (CancellationException e) {
                    done.send(e);
                }
            });
            // The doomed request waits (in its select on ctx.done()) before the small ones come.
            Chan<?> ctxDone = (Chan<?>) ctx.done();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!hasReceiver(ctxDone)) {
                assertTrue(System.nanoTime() < deadline, "the doomed request never waited");
                Go.yield();
            }
            AtomicInteger through = new AtomicInteger();
            for (int i = n * 3; i > 0; i--) {
                Go.go(() -> {
                    sem.acquire(1);
                    sem.release(1);
                    through.incrementAndGet();
                });
            }
            // As Go's errgroup Wait: every small request gets through while the doomed one waits
            // (waiting for them, not racing them: one held on the other P would fail tryAcquire).
            while (through.get() < n * 3 && System.nanoTime() < deadline) {
                Go.yield();
            }
            assertEquals(n * 3, through.get(), "small requests stuck behind the doomed one");
            assertTrue(sem.tryAcquire(n), "the doomed request blocks nobody");
            sem.release(n);
            ctx.cancel();
            assertSame(Context.CANCELED, done.recv());
        });
    }

    /** Whether a goroutine waits to receive from {@code c}. */
    private static boolean hasReceiver(Chan<?> c) {
        c.lock.lock();
        try {
            return !c.recvq.isEmpty();
        } finally {
            c.lock.unlock();
        }
    }

    /**
     * Go's TestAllocCancelDoesntStarve: a large waiter that gives up at the head of the queue lets
     * the smaller ones behind it through.
     */
    @Test
    void cancelledHeadDoesNotStarveOthers() {
        rt.run(() -> {
            Semaphore sem = new Semaphore(10);
            sem.acquire(1); // 9 free
            CancelContext ctx = Context.withCancel(Context.background());
            Chan<Throwable> big = Chan.make(1);
            Go.go(() -> {
                try {
                    sem.acquire(ctx, 10);
                    big.send(new AssertionError("acquired"));
                } catch (CancellationException e) {
                    big.send(e);
                }
            });
            while (sem.waiters() < 1) {
                Go.yield();
            }
            Chan<Boolean> small = Chan.make(1);
            Go.go(() -> {
                sem.acquire(1); // queued behind the big one although 9 are free
                small.send(true);
            });
            while (sem.waiters() < 2) {
                Go.yield();
            }
            ctx.cancel();
            assertSame(Context.CANCELED, big.recv());
            assertTrue(small.recv());
            assertEquals(2, sem.held());
        });
    }
}
