package dev.jgo.safepoint.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Select;
import dev.jgo.sync.WaitGroup;
import dev.jgo.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The edges together: channels, select with timer cases, sleeps, {@code Go.blocking}, GOMAXPROCS
 * storms and runtime close, for 30 s ({@code -Djgo.stress=N} multiplies it) over runtimes of 1
 * to 8 Ps. Each round either finishes its work and checks it exactly (every value sent is
 * received once, the goroutine count returns to 0, no timer lost) or closes the runtime in the
 * middle of it (close returns, no thread it started stays alive, compared by identity, and
 * nothing but a documented "runtime closed" {@code IllegalStateException} is thrown anywhere).
 * The seed of a failing round is in the message.
 */
@Timeout(300)
class EdgeStressTest {
    static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(30) * Integer.getInteger("jgo.stress", 1);

    @Test
    void channelsTimersBlockingResizesAndCloseTogether() throws Exception {
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler(
                (t, e) -> failures.add(new AssertionError("uncaught on thread " + t.getName(), e)));
        long seed0 = System.nanoTime();
        int rounds = 0;
        int closedMidway = 0;
        try {
            long end = System.nanoTime() + RUN_NANOS;
            while (System.nanoTime() < end) {
                long seed = seed0 + rounds;
                boolean closeMidway = round(seed, failures);
                closedMidway += closeMidway ? 1 : 0;
                rounds++;
                if (!failures.isEmpty()) {
                    AssertionError e = new AssertionError("round " + rounds + " seed " + seed + " failed");
                    failures.forEach(e::addSuppressed);
                    throw e;
                }
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        assertTrue(rounds >= 4, "only " + rounds + " rounds ran");
        assertTrue(closedMidway > 0 && closedMidway < rounds, closedMidway + " of " + rounds + " closed midway");
    }

    /** One round; returns whether it closed the runtime midway. */
    private static boolean round(long seed, List<Throwable> failures) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        int procs = 1 + rnd.nextInt(8);
        boolean closeMidway = rnd.nextInt(3) == 0;
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        AtomicBoolean closing = new AtomicBoolean();
        GoRuntime rt = GoRuntime.builder()
                .name("edge" + seed)
                .procs(procs)
                .uncaughtExceptionHandler((g, e) -> {
                    if (!(closing.get() && isClosedRuntime(e))) {
                        failures.add(new AssertionError("goroutine " + g.id() + " threw", e));
                    }
                })
                .build();
        AtomicBoolean stopResizing = new AtomicBoolean();
        Thread resizer = new Thread(() -> {
            SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
            int expected = procs;
            try {
                while (!stopResizing.get()) {
                    int n = 1 + r.nextInt(8);
                    int prev = rt.gomaxprocs(n);
                    if (prev != expected) {
                        failures.add(new AssertionError("gomaxprocs returned " + prev + ", expected " + expected));
                    }
                    expected = n;
                    Thread.sleep(0, r.nextInt(1_000_000));
                }
            } catch (IllegalStateException e) {
                if (!(closing.get() && isClosedRuntime(e))) {
                    failures.add(e);
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        int pairs = 4 + rnd.nextInt(8);
        int perPair = 200 + rnd.nextInt(800);
        AtomicLong received = new AtomicLong();
        AtomicLong timersFired = new AtomicLong();
        CompletableFuture<Long> work = CompletableFuture.supplyAsync(() -> rt.run(() -> {
            WaitGroup wg = new WaitGroup();
            for (int p = 0; p < pairs; p++) {
                Chan<Long> c = Chan.make(p % 3 == 0 ? 0 : p); // unbuffered and buffered
                long base = (long) p * perPair;
                wg.add(2);
                Go.go(() -> {
                    for (int i = 0; i < perPair; i++) {
                        if (i % 97 == 0) {
                            Go.blocking(() -> {
                                Thread.sleep(0, 300_000);
                                return null;
                            });
                        } else if (i % 89 == 0) {
                            Go.sleep(Duration.ofNanos(200_000));
                        }
                        c.send(base + i);
                    }
                    c.close();
                    wg.done();
                });
                Go.go(() -> {
                    long sum = 0;
                    while (true) {
                        Object[] got = new Object[1];
                        boolean[] timedOut = new boolean[1];
                        Select.create()
                                .recvOk(c, v -> got[0] = v)
                                .recv(Time.after(Duration.ofMillis(50)), t -> timedOut[0] = true)
                                .select();
                        if (timedOut[0]) {
                            timersFired.incrementAndGet();
                            continue;
                        }
                        dev.jgo.sync.Received<?> r = (dev.jgo.sync.Received<?>) got[0];
                        if (!r.ok()) {
                            break;
                        }
                        sum += (Long) r.value();
                    }
                    received.addAndGet(sum);
                    wg.done();
                });
            }
            wg.await();
            return received.get();
        }));
        resizer.start();
        long expectedSum = 0;
        for (int p = 0; p < pairs; p++) {
            long base = (long) p * perPair;
            expectedSum += base * perPair + (long) perPair * (perPair - 1) / 2;
        }
        try {
            if (closeMidway) {
                Thread.sleep(1 + rnd.nextInt(30));
                closing.set(true);
                stopResizing.set(true);
                rt.close();
                try {
                    work.get(10, TimeUnit.SECONDS); // run fails, or finished just before the close
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!isClosedRuntime(e.getCause())) {
                        failures.add(new AssertionError("run failed otherwise after close", e.getCause()));
                    }
                }
            } else {
                long got = work.get(60, TimeUnit.SECONDS);
                assertEquals(expectedSum, got, "every value sent is received exactly once");
                stopResizing.set(true);
                resizer.join(10_000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (rt.numGoroutine() != 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertEquals(0, rt.numGoroutine(), "goroutines left after the work");
                closing.set(true);
                rt.close();
            }
        } finally {
            stopResizing.set(true);
            closing.set(true);
            rt.close();
            resizer.join(10_000);
        }
        assertTrue(!resizer.isAlive(), "the resizing thread is stuck");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        Set<Thread> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t ->
                            !before.contains(t) && t.isAlive() && t.getName().startsWith("edge" + seed))
                    .collect(Collectors.toSet());
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(5);
        } while (System.nanoTime() < deadline);
        assertTrue(left.isEmpty(), "threads of the closed runtime still alive: " + left);
        return closeMidway;
    }

    private static boolean isClosedRuntime(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalStateException
                    && String.valueOf(t.getMessage()).contains("closed")) {
                return true;
            }
        }
        return false;
    }
}
