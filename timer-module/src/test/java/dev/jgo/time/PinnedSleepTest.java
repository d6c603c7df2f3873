package dev.jgo.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.TimerQueue;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jdk.internal.vm.Continuation;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code Go.sleep} in a goroutine that cannot yield its carrier (a critical section, a class's
 * static initializer: see M "Pinned goroutines") parks the carrier instead. The timer must still
 * be added while the goroutine's M holds its P, so that the P's timer mask bit covers it when the
 * P is handed off: every such sleep wakes, close to its deadline, with the runtime otherwise idle.
 */
@Timeout(180)
class PinnedSleepTest {
    static final int ROUNDS = 200 * Integer.getInteger("jgo.stress", 1);
    /** How late a sleep may wake (a loaded 2-core machine delays a carrier by tens of ms). */
    static final long LATE_NANOS = TimeUnit.SECONDS.toNanos(2);

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void pinnedSleepsAllWake(int procs) throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            long worst = 0;
            for (int i = 0; i < ROUNDS; i++) {
                long sleepNanos = TimeUnit.MILLISECONDS.toNanos(1 + i % 4);
                CompletableFuture<long[]> done = new CompletableFuture<>();
                rt.go(() -> {
                    Continuation.pin(); // every yield is refused from here on: parkPinned
                    try {
                        long deadline = TimerQueue.nanotime() + sleepNanos;
                        Go.sleep(Duration.ofNanos(sleepNanos));
                        done.complete(new long[] {deadline, TimerQueue.nanotime()});
                    } catch (Throwable t) {
                        done.completeExceptionally(t);
                    } finally {
                        Continuation.unpin();
                    }
                });
                long late = lateness(done, i);
                worst = Math.max(worst, late);
            }
            assertTrue(worst < LATE_NANOS, "worst wake-up " + worst / 1_000_000 + " ms after its deadline");
            assertEquals(7, rt.run(() -> 3 + 4), "runtime healthy after the pinned sleeps");
        }
    }

    /** A class initializer is a frame the JDK cannot unmount: the sleep inside it is pinned. */
    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void sleepInStaticInitializerWakes(int procs) throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            for (int i = 0; i < 20; i++) {
                CompletableFuture<long[]> done = new CompletableFuture<>();
                ClassLoader fresh = new OneClassLoader(SleepsInClinit.class.getName()); // clinit runs again
                rt.go(() -> {
                    try {
                        long deadline = TimerQueue.nanotime() + SleepsInClinit.SLEEP_NANOS;
                        Class<?> c = Class.forName(SleepsInClinit.class.getName(), true, fresh);
                        java.lang.reflect.Field woke = c.getDeclaredField("woke");
                        woke.setAccessible(true);
                        done.complete(new long[] {deadline, woke.getLong(null)});
                    } catch (Throwable t) {
                        done.completeExceptionally(t);
                    }
                });
                lateness(done, i);
            }
        }
    }

    /** Waits for one round; returns how late the sleep woke. */
    private static long lateness(CompletableFuture<long[]> done, int round) throws Exception {
        long[] r;
        try {
            r = done.get(LATE_NANOS + TimeUnit.SECONDS.toNanos(3), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            fail("round " + round + ": a pinned sleep never woke");
            throw e;
        } catch (ExecutionException e) {
            throw new AssertionError("round " + round + " threw", e.getCause());
        }
        long late = r[1] - r[0];
        assertTrue(late >= 0, "round " + round + " woke " + -late + " ns early");
        assertTrue(late < LATE_NANOS, "round " + round + " woke " + late / 1_000_000 + " ms late");
        return late;
    }

    /**
     * Sleeps in its static initializer; a {@link OneClassLoader} runs the initializer again. Uses
     * only public types: a copy defined by another loader is in another runtime package.
     */
    static final class SleepsInClinit {
        static final long SLEEP_NANOS = 2_000_000;
        /** When this copy's initializer woke. */
        private static long woke;

        static {
            Go.sleep(Duration.ofNanos(SLEEP_NANOS));
            woke = TimerQueue.nanotime();
        }

        private SleepsInClinit() {}
    }

    /** Defines one class itself (so its initializer runs once per loader); delegates the rest. */
    private static final class OneClassLoader extends ClassLoader {
        private final String name;

        OneClassLoader(String name) {
            super(PinnedSleepTest.class.getClassLoader());
            this.name = name;
        }

        @Override
        protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
            if (!n.equals(name)) {
                return super.loadClass(n, resolve);
            }
            synchronized (getClassLoadingLock(n)) {
                Class<?> c = findLoadedClass(n);
                if (c == null) {
                    String res = n.replace('.', '/') + ".class";
                    try (InputStream in = getParent().getResourceAsStream(res)) {
                        byte[] b = in.readAllBytes();
                        c = defineClass(n, b, 0, b.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(n, e);
                    }
                }
                return c;
            }
        }
    }
}
