package dev.jgo.core.internal;

import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.SchedEvents;
import dev.jgo.spi.TimerQueue;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Virtual time and the waits for quiescence of one runtime: Go 1.25's {@code testing/synctest}
 * bubble ({@code runtime/synctest.go}), with the whole runtime as the bubble.
 *
 * <h2>Design note: Virtual time</h2>
 *
 * The problem: a test of code that sleeps, ticks or times out should not wait for the wall clock,
 * and should see the same times on every run. Rejected: a fake clock the test advances by hand
 * (Tokio's {@code advance}: the test must know how far every goroutine has got before it moves
 * the clock, which is the race it meant to avoid); a clock that advances on a timer thread (moves
 * while goroutines still run, so what they see depends on the machine). Go's protocol, which
 * jgo's deadlock detection makes cheap, since it already knows when every M is idle:
 *
 * <ol>
 *   <li>The clock ({@link #now}) starts at {@link #START}, read as {@link #EPOCH}, and is written
 *       only under sched.lock, by step 4. Everything that measures time reads it through {@code
 *       Scheduler.nanotime()}: the timer queues ({@code TimerQueue.Host.nanotime}), {@code
 *       Go.sleep}, {@code Time}, contexts, network deadlines.
 *   <li>A goroutine is durably blocked when it is parked (channels, select, sync types, timers,
 *       {@code Go.awaitBlocked}); one inside {@code Go.blocking} or waiting on the network is not:
 *       its M is not idle, or it holds a waker ({@code Scheduler.addWaker}), and the clock waits.
 *   <li>An M that parks until the next timer ({@code FindRunnable.stopmUntil}, {@code FindRunnable.netpollBlock})
 *       parks without a deadline when the timer is in the future: only step 4 can bring it.
 *       It compares the deadline with the clock after {@code mput}, which runs step 4 under
 *       the same lock, so an advance made for it is never missed.
 *   <li>{@code checkdead} runs whenever an M goes idle. When every M is idle, no goroutine is
 *       runnable and no waker is registered, every goroutine is durably blocked, and {@link
 *       #allBlocked} does the first of: run timers that are due (they go first); wake the {@link
 *       #awaitBlocked} waiter; jump the clock to the earliest timer and run it. If none applies
 *       the runtime is deadlocked. An {@link #awaitOthersDone} waiter (the end of a test, when
 *       Go's clock stops) is woken instead of any jump: its others have ended, or those left
 *       can never run.
 *   <li>Waking happens under sched.lock, where {@code wakep} cannot be called (it takes the
 *       lock): the M waiting for timers is kicked (lock-free), or an idle P is handed to an idle
 *       M as {@code startm} does; with no idle M, sysmon is asked to start one ({@code
 *       mstartPending}).
 * </ol>
 *
 * <p>The clock stops when the main goroutine returns: {@code checkdead} does nothing without a
 * pending {@code run}.
 */
final class Synctest {
    /** What a virtual clock reads at start: {@code 2000-01-01T00:00:00Z}, as Go's bubbles. */
    static final Instant EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    /**
     * The {@code nanotime} of {@link #EPOCH}: positive (timer queues read 0 as "none") and far
     * from overflow.
     */
    static final long START = 1L << 40;

    /** A waiter of {@link #awaitBlocked}. */
    private static final int WAIT_BLOCKED = 1;

    /** A waiter of {@link #awaitOthersDone}. */
    private static final int WAIT_OTHERS_DONE = 2;

    private final Sched sched;

    /** Whether the clock is virtual (immutable). */
    final boolean virtual;

    // ---- written under sched.lock, read by any thread ----
    /** The virtual clock (note step 1): volatile, written only under sched.lock. */
    private volatile long now = START;

    // ---- sched.lock ----
    /** The goroutine parked in a wait, or null. */
    private G waiter;

    private int waitMode;

    // ---- any thread ----
    /** Set while a goroutine is inside one of the waits: a second one is refused. */
    private final AtomicBoolean waiting = new AtomicBoolean();

    Synctest(Sched sched, boolean virtual) {
        this.sched = sched;
        this.virtual = virtual;
    }

    /** The runtime's clock (note step 1). Concurrency: any thread. */
    long nanotime() {
        return virtual ? now : TimerQueue.nanotime();
    }

    /** The runtime's wall clock: {@link #EPOCH} plus the virtual time elapsed, or the wall clock. */
    Instant instant() {
        return virtual ? EPOCH.plusNanos(now - START) : Instant.now();
    }

    /**
     * Port of synctest.Wait: parks the calling goroutine until {@link #allBlocked} wakes it.
     *
     * <p>Concurrency: a goroutine of this runtime.
     */
    void awaitBlocked() {
        if (!virtual) {
            throw new IllegalStateException("Go.awaitBlocked needs a runtime built with virtualTime(true)");
        }
        await(WAIT_BLOCKED);
    }

    /**
     * The end of synctest.Test: parks until every other goroutine ended, or those left can never
     * run; returns how many are left.
     *
     * <p>Concurrency: a goroutine of this runtime.
     */
    int awaitOthersDone() {
        await(WAIT_OTHERS_DONE);
        return Math.max(0, sched.gcount() - 1);
    }

    private void await(int mode) {
        Carrier cr = Carrier.current(); // throws on a plain thread
        if (!(cr instanceof M mp) || mp.sched != sched) {
            throw new IllegalStateException("Go.awaitBlocked called from a goroutine of another runtime");
        }
        if (!waiting.compareAndSet(false, true)) {
            throw new IllegalStateException("another goroutine is already waiting in Go.awaitBlocked");
        }
        try {
            cr.park(WaitReason.SYNCTEST_WAIT, this, (g, lock) -> {
                sched.lock.lock();
                try {
                    waiter = G.of(g);
                    waitMode = mode;
                } finally {
                    sched.lock.unlock();
                }
                return true;
            });
        } finally {
            waiting.set(false);
        }
    }

    /**
     * Port of runtime.(*synctestBubble).maybeWakeLocked with the clock advance of synctestRun:
     * note step 4, called by checkdead once every M is idle, no goroutine waits in the global
     * queue and no waker is registered. Returns true if it woke something (no deadlock).
     *
     * <p>Concurrency: requires sched.lock.
     */
    boolean allBlocked() {
        assert sched.lock.isHeld();
        G w = waiter;
        if (w == null && !virtual) {
            return false;
        }
        for (P pp : sched.allp) {
            if (!pp.runq.runqempty()) {
                return false; // checkdead's own checks see it
            }
        }
        long next = earliestTimer();
        if (w != null && waitMode == WAIT_OTHERS_DONE) {
            if (sched.gcount() > 1 && next != 0 && next <= nanotime()) {
                wakeForTimers(); // due timers still run; the clock itself stays (Go: time stops)
                return true;
            }
            if (sched.gcount() > 1 && !virtual && Timers.pending(sched)) {
                return false; // on the wall clock the pending timers still come
            }
            wake(w); // all others ended, or those left can never run
            return true;
        }
        if (next != 0 && next <= nanotime()) {
            wakeForTimers(); // timers due now run before a waiter is woken or the clock moves
            return true;
        }
        if (w != null && waitMode == WAIT_BLOCKED) {
            wake(w);
            return true;
        }
        boolean timers = Timers.pending(sched);
        if (virtual && timers && next != 0) {
            assert next > now : "the clock moves forward only";
            now = next; // volatile write under sched.lock: the jump to the next timer (step 4)
            wakeForTimers();
            return true;
        }
        return false;
    }

    /** The earliest wake time of any P's timers, 0 if none. Concurrency: requires sched.lock. */
    private long earliestTimer() {
        assert sched.lock.isHeld();
        if (sched.timerFactory == null) {
            return 0;
        }
        long next = 0;
        for (P pp : sched.allp) {
            long t = pp.timers.nobarrierWakeTime();
            if (t != 0 && (next == 0 || t < next)) {
                next = t;
            }
        }
        return next;
    }

    /**
     * Gets an M to run the due timers: kicks the M parked until the next timer, else hands an
     * idle P to an idle M as a spinning M (its last steal round runs other Ps' timers).
     *
     * <p>Concurrency: requires sched.lock.
     */
    private void wakeForTimers() {
        assert sched.lock.isHeld();
        M tw = sched.timerWaiter;
        if (tw != null) {
            tw.kickTimer(); // lock-free: a flag and an unpark (or a poller wakeup)
            return;
        }
        startmLocked(true);
    }

    /**
     * Makes the waiter runnable, as Ready.readyQueued does, without taking sched.lock.
     *
     * <p>Concurrency: requires sched.lock.
     */
    private void wake(G gp) {
        assert sched.lock.isHeld();
        waiter = null;
        M pinned = gp.pinnedM;
        if (pinned != null) { // parked on a pinned carrier (M "Pinned goroutines")
            gp.casgstatus(G.WAITING, gp.parkedInSyscall ? G.SYSCALL : G.RUNNABLE);
            sched.npinned--;
            LockSupport.unpark(pinned);
            return;
        }
        gp.casgstatus(G.WAITING, G.RUNNABLE);
        if (sched.events instanceof SchedEvents ev) {
            Emit.goUnpark(ev, gp.goid, -1);
        }
        Ready.globrunqput(sched, gp);
        startmLocked(false);
    }

    /**
     * startm under sched.lock (note step 5): hands an idle P to an idle M; with no idle M, asks
     * sysmon to start one ({@code Ms.retryStartm} runs wakep for the queued work or timers).
     *
     * <p>Concurrency: requires sched.lock.
     */
    private void startmLocked(boolean spinning) {
        assert sched.lock.isHeld();
        P pp = sched.pidleget();
        if (pp == null) {
            return; // a P is held: its M is about to find the work
        }
        M mp = Ms.mget(sched);
        if (mp == null) {
            sched.pidleput(pp);
            sched.mstartPending = true; // volatile write before the unpark
            Sysmon sm = sched.sysmon;
            if (sm != null) {
                LockSupport.unpark(sm);
            }
            return;
        }
        assert !mp.spinning && mp.nextp == null : "an idle M holds no P and does not spin";
        if (spinning) {
            sched.nmspinning.incrementAndGet();
            mp.spinning = true;
        }
        mp.nextp = pp;
        mp.notewakeup();
    }
}
