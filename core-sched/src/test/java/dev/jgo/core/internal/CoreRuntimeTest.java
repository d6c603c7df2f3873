package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.GoroutineException;
import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CoreRuntimeTest {

    @Test
    void runReturnsMainResult() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            assertEquals(42, rt.run(() -> 42));
            assertEquals(2, rt.gomaxprocs());
        }
    }

    @Test
    void goroutinesRunAndParkReady() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            long sum = rt.run(() -> {
                AtomicLong acc = new AtomicLong();
                AtomicInteger left = new AtomicInteger(1000);
                Gate done = new Gate();
                for (int i = 0; i < 1000; i++) {
                    int v = i;
                    Go.go(() -> {
                        acc.addAndGet(v);
                        if (left.decrementAndGet() == 0) {
                            done.open();
                        }
                    });
                }
                done.await();
                return acc.get();
            });
            assertEquals(999L * 1000 / 2, sum);
        }
    }

    @Test
    void readyBeforeParkIsAnIllegalTransition() {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> rt.run(() -> {
                        Carrier.current().ready(Go.current()); // not parked: RUNNING, not WAITING
                    }));
            assertTrue(e.getMessage().contains("casgstatus"), e.getMessage());
            assertEquals(1, rt.run(() -> 1));
        }
    }

    @Test
    void mainExceptionIsRethrown() {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            IllegalArgumentException e = new IllegalArgumentException("boom");
            assertSame(
                    e,
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> rt.run(() -> {
                                throw e;
                            })));
            GoroutineException ge = assertThrows(
                    GoroutineException.class,
                    () -> rt.run(() -> {
                        throw new IOException("io");
                    }));
            assertTrue(ge.getCause() instanceof IOException);
            assertEquals(7, rt.run(() -> 7), "runtime still usable");
        }
    }

    @Test
    void deadlockDetected() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            DeadlockException e = assertThrows(
                    DeadlockException.class,
                    () -> rt.run(() -> {
                        Carrier.current().park(WaitReason.CHAN_RECEIVE, null, null);
                    }));
            assertTrue(e.getMessage().startsWith(DeadlockException.MESSAGE + "\n\ngoroutine "), e.getMessage());
            assertEquals(3, rt.run(() -> 3), "runtime still usable");
        }
    }

    @Test
    void policiesSwapWhileRunning() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            dev.jgo.spi.PolicyControl pc = (dev.jgo.spi.PolicyControl) rt;
            assertSame(dev.jgo.spi.StealPolicy.go(), pc.stealPolicy(dev.jgo.spi.StealPolicy.tokio()));
            assertSame(dev.jgo.spi.StealPolicy.tokio(), pc.stealPolicy());
            dev.jgo.spi.SpinPolicy old = pc.spinPolicy(dev.jgo.spi.SpinPolicy.goStrict());
            assertSame(dev.jgo.spi.SpinPolicy.go(), old);
            assertEquals(4, rt.run(() -> {
                for (int i = 0; i < 100; i++) {
                    Go.go(Go::yield);
                }
                return 4;
            }));
            assertThrows(NullPointerException.class, () -> pc.fairnessPolicy(null));
        }
    }

    @Test
    void goOutsideGoroutineThrows() {
        assertThrows(IllegalStateException.class, () -> Go.go(() -> {}));
        assertThrows(IllegalStateException.class, Go::yield);
    }
}
