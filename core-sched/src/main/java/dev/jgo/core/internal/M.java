package dev.jgo.core.internal;

import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.SchedEvents;
import dev.jgo.spi.Scheduler;
import dev.jgo.spi.StealPolicy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import jdk.internal.vm.Continuation;

/**
 * A machine: Go's {@code m}, a carrier platform thread that runs goroutines while it holds a
 * {@link P}. Its {@link #run} is Go's {@code mstart} followed by the {@code schedule} loop; the
 * code that runs here between two goroutine runs plays the part of Go's {@code g0} stack.
 *
 * <h2>Design note: mcall on continuations</h2>
 *
 * Go switches a parking goroutine to the g0 stack with {@code mcall(fn)} and runs {@code fn}
 * there. jgo's goroutine records the operation in {@link #mcallOp} and yields its continuation;
 * {@link Continuation#run()} then returns into {@link #execute} on this thread, which performs
 * the operation ({@code park_m}, {@code gosched_m}, {@code goexit0}, {@code exitsyscall0}) with
 * the goroutine off its stack, exactly where Go runs {@code fn}. So a goroutine made runnable by
 * another thread can never be resumed while it is still mounted here.
 *
 * <h2>Design note: Pinned goroutines</h2>
 *
 * The JDK refuses to unmount a continuation with a native frame or a critical section ({@code
 * Continuation.pin}) on its stack; Java monitors do not pin on JDK 25 (see
 * JavaMonitorTest). Rejected: throwing at the goroutine (a correct program would fail at random
 * depending on its callers) and spinning until the yield succeeds (it never does). Chosen: the
 * rest of the operation becomes a blocking section, as a system call is in Go:
 *
 * <ol>
 *   <li>{@link G.GCont} turns the refusal into a {@code false} from {@code yield}.
 *   <li>A park hands the P off ({@link Sched#handoffp}), moves the goroutine to WAITING, runs its
 *       unlock function and blocks the carrier thread; {@link Sched#ready} sees {@code
 *       G.pinnedM} and unparks that thread instead of queueing the goroutine.
 *   <li>Readied, the carrier takes an idle P or queues itself in {@code sched.pinnedWaiters},
 *       which {@link Sched#pidleput} serves before the idle list.
 *   <li>A gosched that cannot yield is skipped. checkdead counts a carrier blocked in a pinned
 *       park as idle, so a pinned deadlock is still reported.
 * </ol>
 *
 * <h2>Who touches what</h2>
 *
 * <ul>
 *   <li>{@code p}, {@code curg}, {@code spinning}, {@code mcallOp}, counters: this M only.
 *   <li>{@code nextp}, {@code spinning} while parked: written by the M that wakes this one under
 *       the hand-off protocol of {@link #notewakeup} (volatile note), read after waking.
 *   <li>{@code schedlink}: sched.lock.
 * </ul>
 */
final class M extends Carrier {
    static final int OP_NONE = 0;
    static final int OP_PARK = 1;
    static final int OP_GOSCHED = 2;
    static final int OP_EXITSYSCALL = 3;

    private static final VarHandle NOTE;

    static {
        try {
            NOTE = MethodHandles.lookup().findVarHandle(M.class, "note", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---- immutable ----
    final Sched sched;
    final int mid;

    // ---- this M ----
    P p;
    G curg;
    boolean spinning;
    int mcallOp;
    /** Whether the goroutine findRunnable returned came from runnext (inherits the time slice). */
    private boolean inheritTime;

    private int fastrand;
    /** Random source of the randomized scheduler, null when it is off. */
    final SplittableRandom rnd;

    long mParks;
    long mUnparks;
    long emptyWakeups;
    long spins;
    long pinnedParks;
    private boolean ranSinceWake = true;

    /** timers: set by Timers.wakeNetPoller when an earlier timer needs this parked M. */
    private volatile boolean timerKick;

    // ---- hand-off (see notewakeup) ----
    volatile P nextp;

    @SuppressWarnings("unused")
    private volatile boolean note;

    // ---- sched.lock ----
    M schedlink;

    M(Sched sched, int id) {
        super(sched.threadGroup, sched.name + "-m" + id);
        this.sched = sched;
        this.mid = id;
        this.fastrand = (int) (System.nanoTime() ^ (id * 0x9E3779B9L)) | 1;
        this.rnd = sched.randomize ? new SplittableRandom(System.nanoTime() + id) : null;
        setDaemon(true);
    }

    /** xorshift32, Go's cheaprand. Concurrency: this M only. */
    int fastrand() {
        int x = fastrand;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        fastrand = x;
        return x;
    }

    // ---- park note (Go's m.park note) ----

    /**
     * Port of notewakeup(&mp.park): wakes this M. The waker writes {@code nextp} and {@code
     * spinning} before the volatile write of the note; {@link #notesleep} reads the note, then
     * them.
     *
     * <p>Concurrency: any thread.
     */
    void notewakeup() {
        NOTE.setVolatile(this, true);
        LockSupport.unpark(this);
    }

    /** Port of notesleep + noteclear. Concurrency: this M only. */
    private void notesleep() {
        while (!(boolean) NOTE.getVolatile(this) && !sched.stopping()) {
            LockSupport.park(this);
        }
        NOTE.setVolatile(this, false);
    }

    // ---- mstart and the schedule loop ----

    @Override
    public void run() {
        try {
            P pp = nextp;
            nextp = null;
            if (pp == null) {
                throw new IllegalStateException("mstart: M" + mid + " started without a P");
            }
            acquirep(pp);
            while (!sched.stopping()) {
                schedule();
            }
        } catch (Throwable t) {
            sched.die(curg, t);
        } finally {
            sched.mexit(this);
        }
    }

    /**
     * Port of runtime.acquirep. Concurrency: this M, with {@code pp} handed to it.
     */
    void acquirep(P pp) {
        if (p != null || pp.m != null) {
            throw new IllegalStateException("acquirep: M" + mid + " has " + p + ", " + pp + " has M");
        }
        pp.casstatus(P.IDLE, P.RUNNING);
        p = pp;
        pp.m = this;
        if (sched.events != null) {
            sched.events.procStart(pp.id, mid);
        }
    }

    /** Port of runtime.releasep. Concurrency: this M. */
    P releasep() {
        P pp = p;
        if (pp == null || pp.m != this) {
            throw new IllegalStateException("releasep: invalid P state on M" + mid);
        }
        if (sched.events != null) {
            sched.events.procStop(pp.id, mid);
        }
        pp.m = null;
        p = null;
        pp.casstatus(pp.status() == P.SYSCALL ? P.SYSCALL : P.RUNNING, P.IDLE);
        return pp;
    }

    /**
     * Port of runtime.schedule: one round of the scheduler, find a runnable goroutine and run it.
     *
     * <p>Concurrency: this M, holding a P.
     */
    private void schedule() {
        P pp = p;
        G gp = null;
        boolean inherit = false;
        FairnessPolicy f = sched.fairness;
        Timers.checkTimers(sched, pp); // timers: run this P's due timers (Go: top of findRunnable)
        // Check the global runnable queue once in a while to ensure fairness. Otherwise two
        // goroutines can completely occupy the local runqueue by constantly respawning each
        // other.
        if (pp.schedtick % f.globalQueueInterval() == 0 && !sched.runq.isEmpty()) {
            gp = sched.globrunqget(pp, 1);
        }
        if (gp == null) {
            gp = pp.runq.runqget();
            inherit = pp.runq.lastFromRunnext && f.runnextInheritsTimeSlice();
        }
        if (gp == null) {
            gp = findRunnable(); // blocks until work is available
            if (gp == null) {
                return; // stopping
            }
            inherit = inheritTime;
        }
        // This thread is going to run a goroutine and is not spinning anymore, so if it was
        // marked as spinning we need to reset it now and potentially start a new spinning M.
        if (spinning) {
            resetspinning();
        }
        execute(gp, inherit);
    }

    /**
     * Port of runtime.resetspinning. See "Worker thread parking/unparking", step 3.
     *
     * <p>Concurrency: this M.
     */
    private void resetspinning() {
        if (!spinning) {
            throw new IllegalStateException("resetspinning: not a spinning m");
        }
        spinning = false;
        if (sched.nmspinning.decrementAndGet() < 0) {
            throw new IllegalStateException("findrunnable: negative nmspinning");
        }
        if (sched.events != null) {
            sched.events.spin(mid, false);
        }
        // M wakeup policy is deliberately somewhat conservative, so check if we need to wakeup
        // another P here.
        sched.wakep();
    }

    private void becomeSpinning() {
        spinning = true;
        sched.nmspinning.incrementAndGet();
        spins++;
        if (sched.events != null) {
            sched.events.spin(mid, true);
        }
    }

    /**
     * Port of runtime.findrunnable: finds a runnable goroutine to execute, trying other Ps'
     * queues and the global queue; parks the M when there is none. Sets {@link #inheritTime}.
     *
     * <p>Concurrency: this M, holding a P on entry and on return (null return: stopping).
     */
    private G findRunnable() {
        while (true) {
            if (sched.stopping()) {
                return null;
            }
            P pp = p;
            inheritTime = false;
            Timers.checkTimers(sched, pp); // timers: after a wake-up this may be a new P
            // local runq
            G gp = pp.runq.runqget();
            if (gp != null) {
                inheritTime = pp.runq.lastFromRunnext && sched.fairness.runnextInheritsTimeSlice();
                return gp;
            }
            // global runq
            if (!sched.runq.isEmpty()) {
                gp = sched.globrunqget(pp, 0);
                if (gp != null) {
                    return gp;
                }
            }
            // Steal work from other Ps. If the number of spinning Ms is at least the number of
            // busy Ps, block: this prevents excessive CPU use when GOMAXPROCS>>1 but the
            // program's parallelism is low.
            if (spinning || sched.spinPolicy.maySpin(sched.nmspinning.get(), sched.gomaxprocs, sched.npidle.get())) {
                if (!spinning) {
                    becomeSpinning();
                }
                gp = stealWork(pp);
                if (gp != null) {
                    return gp;
                }
            }

            // A spinning M polls the global queue a little longer before parking (SpinPolicy
            // idleSpinNanos; 0 in Go). Only spinning Ms do, so at most half the busy Ps' worth.
            if (spinning) {
                gp = idleSpin(pp);
                if (gp != null) {
                    return gp;
                }
            }

            // return P and block
            sched.lock.lock();
            try {
                if (!sched.runq.isEmpty()) {
                    gp = sched.globrunqget(pp, 0);
                    if (gp != null) {
                        return gp;
                    }
                }
                if (releasep() != pp) {
                    throw new IllegalStateException("findrunnable: wrong p");
                }
                sched.pidleput(pp);
            } finally {
                sched.lock.unlock();
            }

            // Delicate dance: the thread transitions from spinning to non-spinning, possibly
            // concurrently with the submission of new goroutines. Drop nmspinning first, then
            // re-check every queue (the decrement is the StoreLoad barrier). See "Worker thread
            // parking/unparking", step 4. If work turns up we restore spinning so that
            // resetspinning wakes another M for the rest.
            boolean wasSpinning = spinning;
            if (spinning) {
                spinning = false;
                if (sched.nmspinning.decrementAndGet() < 0) {
                    throw new IllegalStateException("findrunnable: negative nmspinning");
                }
                if (sched.events != null) {
                    sched.events.spin(mid, false);
                }
            }
            // check all runqueues once again, and the global queue (see "the global run queue")
            if (workAvailableNoP()) {
                sched.lock.lock();
                try {
                    pp = sched.pidleget();
                } finally {
                    sched.lock.unlock();
                }
                if (pp != null) {
                    acquirep(pp);
                    if (wasSpinning) {
                        becomeSpinning();
                    }
                    continue;
                }
            }
            // timers: park until the earliest timer of any P, see "Timers" in Timers, step 3.
            // (netpoll: issue 6 blocks in the poller instead of parking.)
            long pollUntil = Timers.wakeTime(sched);
            if (pollUntil != 0) {
                int r = stopmUntil(pollUntil);
                if (r == STOPM_STOPPING) {
                    return null;
                }
                if (r == STOPM_HANDED_P) {
                    continue;
                }
                sched.lock.lock();
                try {
                    pp = sched.pidleget();
                } finally {
                    sched.lock.unlock();
                }
                if (pp != null) {
                    acquirep(pp);
                    continue;
                }
            }
            if (!stopm()) {
                return null;
            }
        }
    }

    /** Polls the global queue for SpinPolicy.idleSpinNanos. Concurrency: this M, spinning, holding pp. */
    private G idleSpin(P pp) {
        long ns = sched.spinPolicy.idleSpinNanos();
        if (ns <= 0) {
            return null;
        }
        long deadline = System.nanoTime() + ns;
        do {
            for (int i = 0; i < 64; i++) {
                if (!sched.runq.isEmpty()) {
                    G gp = sched.globrunqget(pp, 0);
                    if (gp != null) {
                        return gp;
                    }
                }
                Thread.onSpinWait();
            }
        } while (System.nanoTime() < deadline && !sched.stopping());
        return null;
    }

    /** Whether any non-idle P or the global queue has work. Concurrency: this M, without a P. */
    private boolean workAvailableNoP() {
        if (!sched.runq.isEmpty()) {
            return true;
        }
        for (P p2 : sched.allp) {
            if (!sched.isIdle(p2.id) && !p2.runq.runqempty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Port of runtime.stealWork (the stealing loop of findrunnable): tries to steal a batch of
     * goroutines from another P, in the victim order and rounds of the {@link StealPolicy}.
     *
     * <p>Concurrency: this M, holding {@code pp}, spinning.
     */
    private G stealWork(P pp) {
        StealPolicy sp = sched.stealPolicy;
        P[] allp = sched.allp;
        int n = allp.length;
        if (n == 1) {
            return null;
        }
        int rounds = sp.rounds();
        long backoff = sp.runnextBackoffNanos();
        long minAge = sp.runnextMinAgeNanos();
        for (int i = 0; i < rounds; i++) {
            boolean stealRunnext = sp.mayStealRunnext(i, rounds);
            int r = fastrand();
            int pos = sp.firstVictim(pp.id, n, r);
            int stride = sp.stride(n, r);
            for (int k = 0; k < n; k++, pos = (pos + stride) % n) {
                if (sched.stopping()) {
                    return null;
                }
                P p2 = allp[pos];
                if (p2 == pp) {
                    continue;
                }
                // timers: run p2's due timers in the last round (Go: stealTimersOrRunNextG).
                if (i == rounds - 1) {
                    Timers.stealTimers(sched, p2);
                    G tg = pp.runq.runqget();
                    if (tg != null) {
                        return tg;
                    }
                }
                // Don't bother to attempt to steal if p2 is idle.
                if (!sched.isIdle(pos)) {
                    G gp = pp.runq.runqsteal(p2.runq, stealRunnext, p2.status() == P.RUNNING, backoff, minAge);
                    if (gp != null) {
                        pp.steals++;
                        pp.stolenGoroutines += pp.runq.lastStolen;
                        if (sched.events != null) {
                            sched.events.steal(pp.id, p2.id, pp.runq.lastStolen);
                        }
                        return gp;
                    }
                }
            }
        }
        return null;
    }

    /**
     * Port of runtime.stopm: puts this M on the idle list and parks it until another M hands it a
     * P.
     *
     * <p>Concurrency: this M, holding no P.
     *
     * @return false if the runtime is stopping
     */
    private boolean stopm() {
        if (p != null) {
            throw new IllegalStateException("stopm holding p");
        }
        if (spinning) {
            throw new IllegalStateException("stopm spinning");
        }
        if (!ranSinceWake) {
            emptyWakeups++;
        }
        sched.lock.lock();
        try {
            sched.mput(this);
        } finally {
            sched.lock.unlock();
        }
        mParks++;
        notesleep();
        if (sched.stopping()) {
            return false;
        }
        mUnparks++;
        ranSinceWake = false;
        P pp = nextp;
        nextp = null;
        acquirep(pp);
        return true;
    }

    static final int STOPM_STOPPING = 0;
    static final int STOPM_HANDED_P = 1;
    static final int STOPM_WOKE = 2;

    /** timers: wakes this M from a timed park (Timers.wakeNetPoller). Concurrency: any thread. */
    void kickTimer() {
        timerKick = true; // volatile write before the unpark
        LockSupport.unpark(this);
    }

    /**
     * timers: stopm with a deadline (Go's M blocked in {@code netpoll(delay)}; see "Timers" in
     * Timers, step 3). Parks on the idle M list until handed a P, until {@code deadline}, or until
     * kicked by an earlier timer; an M that does not become {@code sched.timerWaiter} parks
     * without a deadline.
     *
     * <p>Concurrency: this M, holding no P.
     *
     * @return STOPM_STOPPING, STOPM_HANDED_P (P acquired), or STOPM_WOKE (no P; off the idle list)
     */
    private int stopmUntil(long deadline) {
        if (p != null || spinning) {
            throw new IllegalStateException("stopmUntil holding p or spinning");
        }
        if (!ranSinceWake) {
            emptyWakeups++;
        }
        boolean timed;
        sched.lock.lock();
        try {
            sched.mput(this);
            timerKick = false;
            timed = Timers.setWaiter(sched, this, deadline);
        } finally {
            sched.lock.unlock();
        }
        mParks++;
        boolean handed = false;
        while (true) {
            if ((boolean) NOTE.getVolatile(this)) { // pairs with notewakeup's volatile write
                handed = true;
                break;
            }
            if (sched.stopping() || timerKick) {
                break;
            }
            if (!timed) {
                LockSupport.park(this);
                continue;
            }
            long left = deadline - dev.jgo.spi.TimerQueue.nanotime();
            if (left <= 0) {
                break;
            }
            LockSupport.parkNanos(this, left);
        }
        if (!handed) {
            sched.lock.lock();
            try {
                Timers.clearWaiter(sched, this);
                handed = !sched.mremove(this); // not on the list: startm took us, a P is coming
            } finally {
                sched.lock.unlock();
            }
            if (handed) {
                notesleep();
            }
        } else {
            NOTE.setVolatile(this, false);
            sched.lock.lock();
            try {
                Timers.clearWaiter(sched, this);
            } finally {
                sched.lock.unlock();
            }
        }
        if (sched.stopping()) {
            return STOPM_STOPPING;
        }
        if (!handed) {
            return STOPM_WOKE;
        }
        mUnparks++;
        ranSinceWake = false;
        P pp = nextp;
        nextp = null;
        acquirep(pp);
        return STOPM_HANDED_P;
    }

    /**
     * Port of runtime.execute: runs {@code gp} on this M until it yields or ends, then performs
     * the operation it asked for (see "mcall on continuations").
     *
     * <p>Concurrency: this M, holding a P.
     */
    private void execute(G gp, boolean inherit) {
        ranSinceWake = true;
        SchedEvents ev = sched.events;
        while (gp != null) {
            P pp = p;
            curg = gp;
            gp.m = this;
            gp.casgstatus(G.RUNNABLE, G.RUNNING);
            gp.setPreemptOpaque(false);
            if (!inherit) {
                pp.schedtick++;
            }
            gp.budget = sched.fairness.operationBudget();
            if (ev != null) {
                ev.goStart(gp.goid, pp.id, mid);
            }
            mcallOp = OP_NONE;
            gp.cont.run();
            curg = null;
            gp.m = null;
            if (p == null) { // only when a pinned goroutine was ended by close()
                return;
            }
            if (gp.cont.isDone()) {
                goexit0(gp);
                return;
            }
            int op = mcallOp;
            mcallOp = OP_NONE;
            gp = switch (op) {
                case OP_PARK -> parkM(gp);
                case OP_GOSCHED -> goschedM(gp);
                case OP_EXITSYSCALL -> exitsyscall0(gp);
                default -> throw new IllegalStateException("goroutine " + gp.goid + " yielded without an mcall op");
            };
            inherit = true;
        }
    }

    /**
     * Port of runtime.park_m: the goroutine is off its stack; make it waiting, then run its
     * unlock function. Returns the goroutine to resume at once if the unlock function refused.
     */
    private G parkM(G gp) {
        gp.casgstatus(G.RUNNING, G.WAITING);
        if (sched.events != null) {
            sched.events.goPark(gp.goid, gp.waitreason, p.id);
        }
        ParkUnlock fn = gp.parkUnlock;
        Object lock = gp.parkLock;
        gp.parkUnlock = null;
        gp.parkLock = null;
        if (fn != null && !fn.unlock(gp, lock)) {
            gp.casgstatus(G.WAITING, G.RUNNABLE);
            return gp;
        }
        return null;
    }

    /** Port of runtime.goschedImpl: the goroutine goes to the global queue. */
    private G goschedM(G gp) {
        gp.casgstatus(G.RUNNING, G.RUNNABLE);
        if (sched.events != null) {
            sched.events.goYield(gp.goid, p.id);
        }
        sched.globrunqput(gp);
        return null;
    }

    /**
     * Port of runtime.goexit0: the goroutine's body returned or threw. Completes a main
     * goroutine's run call, reports an exception, and puts the G on the free list.
     */
    private void goexit0(G gp) {
        gp.casgstatus(G.RUNNING, G.DEAD);
        P pp = p;
        pp.goroutinesExited++;
        if (sched.events != null) {
            sched.events.goExit(gp.goid, pp.id);
        }
        Throwable t = gp.panic;
        if (gp.main != null) {
            sched.mains.remove(gp.main);
            if (t != null) {
                gp.main.completeExceptionally(t);
            } else {
                gp.main.complete(gp.result);
            }
        } else if (t != null) {
            if (sched.uncaughtHandler != null) {
                try {
                    sched.uncaughtHandler.accept(gp, t);
                } catch (Throwable t2) {
                    t2.addSuppressed(t);
                    sched.die(gp, t2);
                }
            } else {
                sched.die(gp, t);
            }
        }
        gp.fn = null;
        gp.cont = null;
        gp.main = null;
        gp.result = null;
        gp.panic = null;
        gp.waitreason = WaitReason.ZERO;
        sched.gfput(pp, gp);
    }

    // ---- Carrier: what the running goroutine calls ----

    @Override
    protected boolean inGoroutine() {
        return curg != null;
    }

    @Override
    public Goroutine currentGoroutine() {
        return curg;
    }

    @Override
    public Scheduler scheduler() {
        return sched.rt;
    }

    /**
     * Port of runtime.newproc: the new goroutine goes to this P's runnext, then wakep.
     *
     * <p>Concurrency: the goroutine running on this M.
     */
    @Override
    public Goroutine go(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        G parent = curg;
        P pp = p;
        if (pp == null) { // inside Go.blocking: no P, start it from outside
            return sched.newprocExternal(fn, null);
        }
        G newg = sched.newproc1(fn, pp, parent.goid, null);
        sched.runqput(pp, newg, sched.fairness.useRunnext(), this);
        sched.wakep();
        return newg;
    }

    /**
     * Yields the running goroutine's continuation with {@code op} for execute to perform. See
     * "Pinned goroutines" for a yield the JDK refuses.
     */
    private void mcall(int op) {
        mcallOp = op;
        if (Continuation.yield(G.SCOPE)) {
            return;
        }
        // Pinned: the goroutine is still mounted here and execute() has not run.
        mcallOp = OP_NONE;
        G gp = curg;
        switch (op) {
            case OP_PARK -> parkPinned(gp);
            case OP_EXITSYSCALL -> {
                gp.casgstatus(G.SYSCALL, G.RUNNABLE);
                acquirePinned(gp);
            }
            default -> {} // a yield that cannot happen is skipped: the goroutine keeps its P
        }
    }

    /**
     * Park for a goroutine whose continuation cannot yield (a native frame or a critical section
     * on its stack): the rest of the park is a blocking section. The P is handed off as in
     * entersyscallblock, the carrier thread blocks until {@link Sched#ready} unparks it, then it
     * re-acquires a P (waiting for one if none is idle).
     *
     * <p>Concurrency: the goroutine running on this M.
     */
    private void parkPinned(G gp) {
        pinnedParks++;
        ParkUnlock fn = gp.parkUnlock;
        Object lock = gp.parkLock;
        gp.parkUnlock = null;
        gp.parkLock = null;
        gp.pinnedM = this; // volatile: read by ready after its CAS to RUNNABLE
        P pp = p;
        if (sched.events != null) {
            sched.events.goPark(gp.goid, gp.waitreason, pp.id);
        }
        sched.handoffp(releasep());
        gp.casgstatus(G.RUNNING, G.WAITING);
        if (fn != null && !fn.unlock(gp, lock)) {
            gp.casgstatus(G.WAITING, G.RUNNABLE);
        } else {
            sched.lock.lock();
            try {
                // Counted as an idle M for checkdead until Sched.ready takes it back (under the
                // same lock, together with the status change). A ready that came first has
                // already decremented: the count is then briefly -1, which only delays
                // deadlock detection, never fakes it.
                sched.npinned++;
                sched.checkdead();
            } finally {
                sched.lock.unlock();
            }
            while (gp.readgstatus() == G.WAITING && !sched.stopping()) {
                LockSupport.park(this);
            }
        }
        gp.pinnedM = null;
        if (sched.stopping()) {
            throw new IllegalStateException("runtime closed while goroutine " + gp.goid + " was parked");
        }
        acquirePinned(gp);
    }

    /**
     * Gets a P for a RUNNABLE goroutine that is pinned to this carrier: an idle one, or the next
     * one that becomes idle (handed over by {@link Sched#pidleput}).
     */
    private void acquirePinned(G gp) {
        P pp;
        sched.lock.lock();
        try {
            pp = sched.pidleget();
            if (pp == null) {
                sched.pinnedWaiters.addLast(this);
            }
        } finally {
            sched.lock.unlock();
        }
        if (pp == null) {
            notesleep();
            if (sched.stopping()) {
                throw new IllegalStateException("runtime closed while goroutine " + gp.goid + " waited for a P");
            }
            pp = nextp;
            nextp = null;
        }
        acquirep(pp);
        gp.casgstatus(G.RUNNABLE, G.RUNNING);
    }

    @Override
    public void gosched() {
        requireP("Go.yield");
        mcall(OP_GOSCHED);
    }

    @Override
    public void park(WaitReason reason, Object lock, ParkUnlock unlockf) {
        Objects.requireNonNull(reason, "reason");
        requireP("park");
        G gp = curg;
        gp.waitreason = reason;
        gp.parkLock = lock;
        gp.parkUnlock = unlockf;
        mcall(OP_PARK);
    }

    @Override
    public void ready(Goroutine g) {
        sched.ready((G) g, p != null ? this : null);
    }

    @Override
    public void checkpoint() {
        G gp = curg;
        if (gp.preemptRequested() && p != null) {
            mcall(OP_GOSCHED);
        }
    }

    @Override
    public Object[] pLocal() {
        requireP("pLocal");
        return p.local;
    }

    @Override
    public void operationCheckpoint() {
        G gp = curg;
        if ((gp.preemptRequested() || (gp.budget > 0 && --gp.budget == 0)) && p != null) {
            mcall(OP_GOSCHED);
        }
    }

    private void requireP(String what) {
        if (p == null) {
            throw new IllegalStateException(what + " is not allowed inside Go.blocking");
        }
    }

    /**
     * Go.blocking as Go's entersyscallblock/exitsyscall: the P is handed off at once, so other
     * goroutines run while the call blocks this thread. (The cheaper entersyscall that keeps the
     * P for sysmon to retake needs sysmon: issue 4.)
     *
     * <p>Concurrency: the goroutine running on this M.
     */
    @Override
    public <T> T blocking(Callable<T> call) throws Exception {
        G gp = curg;
        if (p == null) { // nested blocking call: already off the P
            return call.call();
        }
        entersyscallblock(gp);
        try {
            return call.call();
        } finally {
            exitsyscall(gp); // the goroutine never left this M during the call
        }
    }

    /** Port of runtime.entersyscallblock. Concurrency: the goroutine running on this M. */
    private void entersyscallblock(G gp) {
        P pp = p;
        pp.syscalltick++;
        gp.casgstatus(G.RUNNING, G.SYSCALL);
        if (sched.events != null) {
            sched.events.goSyscall(gp.goid, true, pp.id);
        }
        pp.casstatus(P.RUNNING, P.SYSCALL);
        sched.handoffp(releasep());
    }

    /**
     * Port of runtime.exitsyscall: take an idle P and carry on, else (exitsyscall0) the
     * goroutine goes to the global queue and this M stops.
     *
     * <p>Concurrency: the goroutine running on this M, holding no P.
     */
    private void exitsyscall(G gp) {
        P pp;
        sched.lock.lock();
        try {
            pp = sched.pidleget();
        } finally {
            sched.lock.unlock();
        }
        if (pp != null) {
            acquirep(pp);
            gp.casgstatus(G.SYSCALL, G.RUNNING);
            if (sched.events != null) {
                sched.events.goSyscall(gp.goid, false, pp.id);
            }
            return;
        }
        mcall(OP_EXITSYSCALL);
    }

    /**
     * Port of runtime.exitsyscall0: the goroutine is off its stack with no P for it. Take an
     * idle P if one appeared, else queue it globally and stop this M.
     */
    private G exitsyscall0(G gp) {
        gp.casgstatus(G.SYSCALL, G.RUNNABLE);
        P pp;
        sched.lock.lock();
        try {
            pp = sched.pidleget();
            if (pp == null) {
                sched.globrunqput(gp);
            }
        } finally {
            sched.lock.unlock();
        }
        if (pp != null) {
            acquirep(pp);
            return gp;
        }
        // The global queue may now be the only work while every other M sleeps: the
        // "global run queue" re-check, from the submitter's side.
        sched.wakep();
        if (!stopm()) {
            return null;
        }
        return null;
    }

    @Override
    public void lockOSThread() {
        throw new UnsupportedOperationException("Go.lockOSThread is not built yet (issue 4)");
    }

    @Override
    public void unlockOSThread() {
        throw new UnsupportedOperationException("Go.unlockOSThread is not built yet (issue 4)");
    }

    @Override
    public String toString() {
        return "M" + mid + (p != null ? "(P" + p.id + ")" : "");
    }
}
