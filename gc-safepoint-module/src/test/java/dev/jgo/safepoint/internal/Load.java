package dev.jgo.safepoint.internal;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.WaitGroup;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Goroutines in every state for the stop-the-world tests: CPU loops with checkpoints, goroutines
 * parked on channels, in {@code Go.blocking}, sleeping on timers, a goroutine locked to its
 * thread, and a ping-pong pair. Every counter is advanced by goroutine code only, so none may
 * move while the world is stopped. {@link #finish} stops the loops, releases the parked ones and
 * checks what each computed.
 */
final class Load {
    static final int PARKED = 200;

    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong progress = new AtomicLong();
    final AtomicLong sleeps = new AtomicLong();
    final AtomicLong blockingCalls = new AtomicLong();
    private final Chan<Long> parkedIn = Chan.make(0);
    private final AtomicLong parkedSum = new AtomicLong();
    private final CompletableFuture<Long> done;

    Load(GoRuntime rt, int cpuLoops) {
        done = CompletableFuture.supplyAsync(() -> rt.run(() -> body(cpuLoops)));
    }

    private long body(int cpuLoops) {
        WaitGroup wg = new WaitGroup();
        wg.add(cpuLoops + 2 + 2 + 2 + 2 + PARKED); // cpu, blocking, sleepers, locked pair, pingA pair
        for (int i = 0; i < cpuLoops; i++) {
            Go.go(() -> {
                long x = 1;
                while (!stop.get()) {
                    for (int k = 0; k < 500; k++) {
                        x = x * 6364136223846793005L + 1442695040888963407L;
                    }
                    progress.incrementAndGet();
                    Go.checkpoint();
                }
                wg.done();
            });
        }
        for (int i = 0; i < 2; i++) {
            Go.go(() -> {
                while (!stop.get()) {
                    Go.blocking(() -> {
                        Thread.sleep(0, 300_000);
                        return null;
                    });
                    blockingCalls.incrementAndGet();
                }
                wg.done();
            });
            Go.go(() -> {
                while (!stop.get()) {
                    Go.sleep(Duration.ofNanos(300_000));
                    sleeps.incrementAndGet();
                }
                wg.done();
            });
        }
        Go.go(
                () -> { // locked to its thread, talking to an unlocked partner
                    Go.lockOSThread();
                    Chan<Integer> ping = Chan.make(0);
                    Chan<Integer> pong = Chan.make(0);
                    Go.go(() -> {
                        for (Integer v; (v = ping.recv()) != null; ) {
                            pong.send(v + 1);
                        }
                        wg.done();
                    });
                    int n = 0;
                    while (!stop.get()) {
                        ping.send(n);
                        if (pong.recv() != n + 1) {
                            throw new AssertionError("ping-pong answered wrong");
                        }
                        n++;
                        progress.incrementAndGet();
                    }
                    ping.close();
                    Go.unlockOSThread();
                    wg.done();
                });
        Chan<Long> pingA = Chan.make(1);
        Go.go(() -> {
            while (!stop.get()) {
                pingA.send(1L);
            }
            pingA.close();
            wg.done();
        });
        Go.go(() -> {
            for (Long v; (v = pingA.recv()) != null; ) {
                progress.addAndGet(v);
            }
            wg.done();
        });
        for (int i = 0; i < PARKED; i++) {
            Go.go(() -> {
                parkedSum.addAndGet(parkedIn.recv());
                wg.done();
            });
        }
        while (!stop.get()) {
            Go.sleep(Duration.ofMillis(1));
        }
        for (long i = 1; i <= PARKED; i++) {
            parkedIn.send(i);
        }
        wg.await();
        return parkedSum.get();
    }

    /** Stops everything and checks the parked goroutines each got one value. */
    void finish() throws Exception {
        stop.set(true);
        long sum = done.get(60, TimeUnit.SECONDS);
        long want = (long) PARKED * (PARKED + 1) / 2;
        if (sum != want) {
            throw new AssertionError("parked goroutines received " + sum + ", expected " + want);
        }
    }

    /** The sum of every goroutine-advanced counter. */
    long moves() {
        return progress.get() + sleeps.get() + blockingCalls.get();
    }
}
