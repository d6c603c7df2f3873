package dev.jgo.safepoint.internal;

import dev.jgo.Go;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.ProcControl;
import dev.jgo.spi.SafepointCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Go's stopTheWorld/startTheWorld/forEachP/freezetheworld protocol over {@link ProcControl}.
 *
 * <h2>Design note: worldsema without blocking a P</h2>
 *
 * Go's {@code worldsema} parks a goroutine that waits for it, so its P is free to stop for the
 * stopper ahead of it. A JDK lock would block the carrier thread with its P still RUNNING, and the
 * stopper ahead would wait for that P forever. So {@link #acquire} only ever tries the semaphore:
 * a goroutine that fails yields ({@code Go.yield}, itself a safe point, where its P stops if a
 * stop is under way) and tries again; a thread outside the runtime, or a goroutine inside {@code
 * Go.blocking} (it holds no P), sleeps 50 µs between tries.
 * Stops are rare, so the polling costs nothing measurable.
 *
 * <p>The holder is recorded (the goroutine, or the thread outside any goroutine) to refuse a
 * nested stop with an exception instead of the deadlock it would be in Go.
 *
 * <h2>Waiting for Ps</h2>
 *
 * As the seed: wait for {@code stopwait} to reach zero, preempting every running goroutine again
 * every 100 µs (a preempt flag can be consumed by a goroutine that then started another run).
 * A stop that waits longer than a second prints, once a second, which Ps it waits for: a
 * goroutine in a loop without safe points is the usual cause.
 */
final class Coordinator implements SafepointCoordinator {
    /** Re-preempt period (Go: 100 µs). */
    static final long REPREEMPT_NANOS = 100_000;
    /** Period of the "still waiting" report. */
    static final long REPORT_NANOS = 1_000_000_000L;

    private static final System.Logger LOG = System.getLogger("dev.jgo.safepoint");
    private static final Object FROZEN = new Object();

    private final ProcControl pc;
    private final Semaphore worldsema = new Semaphore(1);
    /** Who holds worldsema: a goroutine, a thread, or FROZEN. */
    private volatile Object owner;

    // ---- stats, guarded by this ----
    private long stops;
    private long lastStopNanos;
    private long maxStopNanos;
    private long totalStopNanos;
    private long repreempts;

    Coordinator(ProcControl pc) {
        this.pc = Objects.requireNonNull(pc, "pc");
    }

    /** The core's view this coordinator drives (tests check P states through it). */
    ProcControl control() {
        return pc;
    }

    /** The caller's identity for worldsema: its goroutine, else its thread. */
    private static Object self() {
        Carrier c = Carrier.currentOrNull();
        return c != null ? c.currentGoroutine() : Thread.currentThread();
    }

    private void acquire(String what) {
        Object me = self();
        if (owner == me) {
            throw new IllegalStateException(what + ": the caller has already stopped the world (nested stop)");
        }
        while (!worldsema.tryAcquire()) {
            if (owner == FROZEN) {
                throw new IllegalStateException(what + ": the world is frozen");
            }
            if (pc.currentP() >= 0) {
                Go.yield(); // a safe point: lets the stop ahead of us take this P
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
        owner = me;
    }

    private void release() {
        owner = null;
        worldsema.release();
    }

    @Override
    public void stopTheWorld(String reason) {
        stop(reason, Long.MAX_VALUE);
    }

    @Override
    public boolean tryStopTheWorld(String reason, long timeoutNanos) {
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeoutNanos must be >= 0, got " + timeoutNanos);
        }
        return stop(reason, timeoutNanos);
    }

    /** Stops the world, giving up after {@code timeoutNanos} (MAX_VALUE: never). */
    private boolean stop(String reason, long timeoutNanos) {
        Objects.requireNonNull(reason, "reason");
        acquire("stopTheWorld(" + reason + ")");
        try {
            long t0 = System.nanoTime();
            long rounds = waitStopped(reason, t0, pc.stopBegin(), timeoutNanos);
            if (rounds < 0) {
                pc.abortStop();
                release();
                return false;
            }
            long took = System.nanoTime() - t0;
            checkStopped(reason);
            synchronized (this) {
                stops++;
                lastStopNanos = took;
                maxStopNanos = Math.max(maxStopNanos, took);
                totalStopNanos += took;
                repreempts += rounds;
            }
            return true;
        } catch (RuntimeException | Error e) {
            release(); // the runtime closed under us, or a check failed
            throw e;
        }
    }

    /**
     * Waits for the Ps still running, re-preempting; returns the re-preempt rounds, or -1 if
     * {@code timeoutNanos} passed first.
     */
    private long waitStopped(String reason, long t0, int wait, long timeoutNanos) {
        long rounds = 0;
        long nextReport = t0 + REPORT_NANOS;
        while (wait > 0) {
            long left = timeoutNanos == Long.MAX_VALUE ? REPREEMPT_NANOS : timeoutNanos - (System.nanoTime() - t0);
            if (left <= 0) {
                return -1;
            }
            wait = pc.awaitStopped(Math.min(left, REPREEMPT_NANOS));
            if (wait > 0) {
                pc.preemptAll();
                rounds++;
                long now = System.nanoTime();
                if (now >= nextReport) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "stopTheWorld(" + reason + ") has waited " + (now - t0) / 1_000_000 + " ms for " + wait
                                    + " P(s):\n" + pc.describeRunning());
                    nextReport = now + REPORT_NANOS;
                }
            }
        }
        return rounds;
    }

    /** The seed's sanity checks: every P stopped. On failure the world is started again. */
    private void checkStopped(String reason) {
        int n = pc.gomaxprocs();
        for (int i = 0; i < n; i++) {
            int st = pc.pStatus(i);
            if (st != ProcControl.P_GCSTOP) {
                pc.startWorld(0);
                throw new IllegalStateException(
                        "stopTheWorld(" + reason + "): not stopped (P" + i + " has status " + st + ")");
            }
        }
    }

    @Override
    public void startTheWorld() {
        if (owner != self()) {
            throw new IllegalStateException("startTheWorld: the caller has not stopped the world");
        }
        try {
            pc.startWorld(0);
        } finally {
            release();
        }
    }

    @Override
    public int gomaxprocs(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("gomaxprocs must be >= 0, got " + n);
        }
        if (n == 0) {
            return pc.gomaxprocs();
        }
        stopTheWorld("GOMAXPROCS");
        try {
            return pc.startWorld(n);
        } catch (IllegalArgumentException e) {
            pc.startWorld(0); // a refused size: the world starts as it was
            throw e;
        } finally {
            release();
        }
    }

    @Override
    public void forEachP(IntConsumer fn) {
        Objects.requireNonNull(fn, "fn");
        List<Throwable> errors;
        if (owner == self()) { // the caller stopped the world: every P is at a safe point
            errors = new ArrayList<>();
            for (int i = 0, n = pc.gomaxprocs(); i < n; i++) {
                try {
                    fn.accept(i);
                } catch (Throwable t) {
                    errors.add(t);
                }
            }
        } else {
            acquire("forEachP");
            try {
                int wait = pc.safePointBegin(fn);
                while (wait > 0) {
                    wait = pc.awaitSafePoints(REPREEMPT_NANOS);
                    if (wait > 0) {
                        pc.preemptAll();
                    }
                }
            } finally {
                errors = pc.safePointEnd();
                release();
            }
        }
        if (!errors.isEmpty()) {
            IllegalStateException e = new IllegalStateException(
                    "forEachP: the function threw on " + errors.size() + " P(s)", errors.get(0));
            for (int i = 1; i < errors.size(); i++) {
                e.addSuppressed(errors.get(i));
            }
            throw e;
        }
    }

    @Override
    public int freezeTheWorld(long nanos) {
        if (!worldsema.tryAcquire()) {
            pc.preemptAll(); // a stop is under way: it will stop everything anyway
            return -1;
        }
        owner = FROZEN;
        long deadline = System.nanoTime() + Math.max(0, nanos);
        int wait = pc.stopBegin();
        while (wait > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait = pc.awaitStopped(Math.min(left, REPREEMPT_NANOS));
            pc.preemptAll();
        }
        return wait;
    }

    @Override
    public synchronized Stats stats() {
        return new Stats(stops, lastStopNanos, maxStopNanos, totalStopNanos, repreempts);
    }
}
