package dev.jgo.safepoint.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Select;
import dev.jgo.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * JDK virtual threads on jgo's scheduler (issue 22) with the other modules: GOMAXPROCS changed
 * while they run, and jgo timers (Go.sleep, Time.after in a Select) inside them.
 */
@Timeout(120)
class VirtualThreadResizeTest {

    private static void join(List<Thread> ts, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (Thread t : ts) {
            long left = Math.max(1, deadline - System.nanoTime());
            assertTrue(t.join(Duration.ofNanos(left)), "not finished in time: " + t);
        }
    }

    /**
     * Virtual threads spinning and exchanging with goroutines while GOMAXPROCS goes up and down;
     * once it stays at 1, at most one of them runs at a time.
     */
    @Test
    void resizeWhileVirtualThreadsRun() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtresize").procs(2).build()) {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger max = new AtomicInteger();
            AtomicBoolean measure = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            Chan<Integer> c = Chan.make(0);
            int echoes = 4;
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ts.add(rt.virtualThreadBuilder().name("spin-" + i).start(() -> {
                    while (!stop.get()) {
                        int now = running.incrementAndGet();
                        if (measure.get()) {
                            max.accumulateAndGet(now, Math::max);
                        }
                        long end = System.nanoTime() + 100_000;
                        while (System.nanoTime() < end) {
                            Thread.onSpinWait();
                        }
                        running.decrementAndGet();
                        Thread.yield();
                    }
                }));
            }
            long[] got = new long[echoes];
            for (int i = 0; i < echoes; i++) {
                int k = i;
                ts.add(rt.virtualThreadBuilder().name("echo-" + i).start(() -> {
                    for (int r = 0; r < 500; r++) {
                        got[k] += c.recv();
                    }
                }));
            }
            long sent = rt.run(() -> {
                long s = 0;
                for (int r = 0; r < 500 * echoes; r++) {
                    c.send(r);
                    s += r;
                    if (r % 100 == 0) {
                        Go.yield();
                    }
                }
                return s;
            });
            for (int n : new int[] {4, 1, 3, 2, 1}) {
                rt.gomaxprocs(n);
                Thread.sleep(20);
            }
            measure.set(true); // GOMAXPROCS stays 1 from here
            Thread.sleep(300);
            stop.set(true);
            join(ts, 60);
            long total = 0;
            for (long g : got) {
                total += g;
            }
            assertEquals(sent, total);
            assertTrue(max.get() == 1, "at procs=1, " + max.get() + " ran at once");
            assertEquals(1, rt.gomaxprocs());
        }
    }

    /** GOMAXPROCS changed from inside a virtual thread of the runtime: the world stops around it. */
    @Test
    void resizeFromAVirtualThread() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtresizein").procs(2).build()) {
            int[] prev = new int[2];
            Thread t = rt.virtualThreadBuilder().start(() -> {
                prev[0] = rt.gomaxprocs(3);
                prev[1] = rt.gomaxprocs(1);
            });
            assertTrue(t.join(Duration.ofSeconds(60)));
            assertEquals(2, prev[0]);
            assertEquals(3, prev[1]);
            assertEquals(1, rt.gomaxprocs());
            assertEquals(5, rt.run(() -> 5));
        }
    }

    /** Go.sleep and a Select on Time.after inside a virtual thread park it on jgo's timers. */
    @Test
    void jgoTimersInVirtualThreads() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vttimers").procs(1).build()) {
            String[] out = new String[2];
            Chan<Integer> never = Chan.make(0);
            Thread t = rt.virtualThreadBuilder().start(() -> {
                long t0 = System.nanoTime();
                Go.sleep(Duration.ofMillis(50));
                out[0] = String.valueOf(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(50));
                Select.create()
                        .recv(never, v -> out[1] = "value")
                        .recv(Time.after(Duration.ofMillis(30)), v -> out[1] = "timeout")
                        .select();
            });
            // a goroutine keeps the only P busy meanwhile, yielding: the timers still fire
            long n = rt.run(() -> {
                long s = 0;
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                while (System.nanoTime() < end) {
                    s++;
                    Go.yield();
                }
                return s;
            });
            assertTrue(n > 0);
            assertTrue(t.join(Duration.ofSeconds(30)));
            assertEquals("true", out[0]);
            assertEquals("timeout", out[1]);
        }
    }
}
