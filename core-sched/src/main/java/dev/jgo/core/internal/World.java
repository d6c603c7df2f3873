package dev.jgo.core.internal;

import dev.jgo.spi.Carrier;
import dev.jgo.spi.ProcControl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The core's side of stop-the-world, forEachP and procresize: the {@link ProcControl} a {@code
 * SafepointCoordinator} drives. The coordinator serializes callers and waits; this class moves
 * Ps between states.
 *
 * <h2>Design note: stopping the world</h2>
 *
 * As the seed's stopTheWorldWithSema. {@link #stopBegin} raises {@code gcwaiting} in {@code
 * sched.safepoint} under sched.lock, sets {@code stopwait} to GOMAXPROCS, asks every running
 * goroutine to yield, and stops at once the Ps nobody runs: the caller's own, those in a system
 * call (CAS SYSCALL to GCSTOP, racing exitsyscall's fast path and sysmon's retake, one of which
 * wins) and the idle ones (off the idle list). Every other P stops itself when its M next passes
 * a safe point, with one decrement of {@code stopwait} under sched.lock each:
 *
 * <ul>
 *   <li>the top of schedule and of findRunnable, and findRunnable before it gives its P up
 *       ({@code gcstopm});
 *   <li>handoffp, through which a P leaves an M for a locked M, a pinned park, entersyscallblock,
 *       retake or automatic hand-off;
 *   <li>entersyscall ({@code entersyscall_gcwait}), after the P is in SYSCALL.
 * </ul>
 *
 * A running goroutine gets there at its next runtime call or {@code Go.checkpoint()} (its
 * preempt flag makes it yield); the coordinator preempts again every 100 µs. The last decrement
 * unparks the waiting stopper. With nothing pending each site costs one volatile read of {@code
 * sched.safepoint}. Sysmon skips retake while the world is stopped, and checkdead is silent (the
 * idle Ms are idle on purpose).
 *
 * <p>{@link #startWorld} is startTheWorldWithSema: procresize under sched.lock, {@code gcwaiting}
 * down, a woken or new M for each P with work, the others idle, then wakep for the global queue.
 *
 * <h2>Design note: procresize</h2>
 *
 * Ps are never freed: {@code sched.everyP} keeps every P ever made (Go keeps them in {@code allp}
 * beyond its length) and {@code allp} is its prefix of GOMAXPROCS. A P removed by a decrease
 * moves its run queue (with {@code runnext}) to the global queue, its timers to the caller's P
 * (or P0) and its free goroutines to the global free list, and becomes DEAD; its counters stay,
 * so totals and {@code numGoroutine} stay exact. An increase revives dead Ps or makes new ones.
 * A goroutine that stopped the world keeps its P if it survives, else takes P0. The new {@code
 * allp} and its idle and timer masks are published together as one {@link AllP}, since Ms
 * without a P, sysmon and timer callbacks read them without sched.lock while the world is
 * stopped; a P handed off meanwhile stops rather than going idle (handoffp), so no removed P is
 * ever on the idle list.
 *
 * <h2>Design note: forEachP</h2>
 *
 * {@link #safePointBegin} flags every P but the caller's and raises the SAFE_POINT_FN bit. The
 * flag is claimed by CAS, so each P runs the function exactly once: its own M at the safe points
 * above, the caller for idle Ps (taken off the idle list while it runs them, so no M can start
 * on one meanwhile) and for its own P, and handoffp for Ps the caller takes out of a system call.
 * Unlike Go, the function never runs under sched.lock: it may be any code that does not block.
 */
final class World implements ProcControl {
    /** {@code sched.safepoint} bit: a stop-the-world is in progress ({@code sched.gcwaiting}). */
    static final int GCWAITING = 1;
    /** {@code sched.safepoint} bit: a forEachP function is pending. */
    static final int SAFE_POINT_FN = 2;

    private final Sched sched;

    // ---- sched.lock (volatile where the waiter reads them without it) ----
    /** Ps that still have to stop ({@code sched.stopwait}). */
    private volatile int stopwait;

    /** Ps that still have to stop, for schedtrace. Concurrency: any thread (volatile read). */
    int stopwait() {
        return stopwait;
    }
    /** The stopper's M when a goroutine stopped the world, else null. */
    private M stopperM;
    /** That M's automatic hand-off state to restore on start. */
    private int stopperUstate;
    /** The thread waiting in awaitStopped or awaitSafePoints. */
    private volatile Thread waiter;
    /** The P that procresize gave the removed Ps' timers to, until startWorld wakes an M for them. */
    private P timersMovedTo;

    // ---- forEachP ----
    private volatile IntConsumer safePointFn;
    private final AtomicInteger safePointWait = new AtomicInteger();
    private final List<Throwable> safePointErrors = Collections.synchronizedList(new ArrayList<>());

    World(Sched sched) {
        this.sched = sched;
    }

    /** The calling goroutine's M if it belongs to this runtime, else null. */
    private M ownM() {
        return Carrier.currentOrNull() instanceof M m && m.sched == sched ? m : null;
    }

    @Override
    public int gomaxprocs() {
        return sched.gomaxprocs;
    }

    @Override
    public int currentP() {
        M mp = ownM();
        P pp = mp != null ? mp.p : null;
        return pp != null ? pp.id : -1;
    }

    // ---- stop the world ----

    @Override
    public int stopBegin() {
        M mp = ownM();
        int ustate = mp != null ? mp.enterRuntime() : M.USTATE_RUNTIME; // may take a P back
        sched.lock.lock();
        try {
            if (sched.gcwaiting()) {
                throw new IllegalStateException("the world is already stopped");
            }
            if (sched.stopping()) {
                throw new IllegalStateException("runtime is closed");
            }
            int wait = sched.gomaxprocs;
            sched.safepoint |= GCWAITING; // volatile write: Ms see it at their next safe point
            stopperM = mp;
            stopperUstate = ustate;
            waiter = Thread.currentThread();
            preemptAll();
            P cur = mp != null ? mp.p : null;
            if (cur != null) {
                cur.casstatus(P.RUNNING, P.GCSTOP); // the caller keeps holding it
                wait--;
            }
            for (P pp : sched.allp) { // Ps in a system call: nobody runs them
                if (pp.status() == P.SYSCALL && pp.tryCasstatus(P.SYSCALL, P.GCSTOP)) {
                    pp.syscalltick++;
                    wait--;
                }
            }
            P pp;
            while ((pp = sched.pidleget()) != null) { // idle Ps
                pp.casstatus(P.IDLE, P.GCSTOP);
                wait--;
            }
            stopwait = wait;
            return wait;
        } finally {
            sched.lock.unlock();
        }
    }

    /**
     * A P has stopped itself: the last one wakes the stopper. Concurrency: requires sched.lock.
     */
    private void stoppedLocked() {
        assert sched.lock.isHeld();
        int w = stopwait - 1;
        if (w < 0) {
            throw new IllegalStateException("stopTheWorld: negative stopwait");
        }
        stopwait = w;
        if (w == 0) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Port of runtime.gcstopm's bookkeeping: {@code pp}, just released by its M, stops. Returns
     * false, leaving {@code pp} to its M, if the stop was abandoned meanwhile ({@link #abortStop}).
     *
     * <p>Concurrency: the M that released {@code pp}; takes sched.lock.
     */
    boolean gcstop(P pp) {
        sched.lock.lock();
        try {
            if (!sched.gcwaiting()) {
                return false; // the stop was abandoned (abortStop) before this P got here
            }
            pp.casstatus(P.IDLE, P.GCSTOP);
            stoppedLocked();
            return true;
        } finally {
            sched.lock.unlock();
        }
    }

    /**
     * handoffp's safe point: runs a pending forEachP function for {@code pp}, and stops it if the
     * world is stopping. Returns true if it stopped (handoffp has nothing more to do).
     *
     * <p>Concurrency: the thread handing off {@code pp} (status IDLE, owned by the caller).
     */
    boolean handoff(P pp) {
        if (pp.safePointFnPending()) {
            runSafePointFn(pp);
        }
        if (!sched.gcwaiting()) {
            return false;
        }
        sched.lock.lock();
        try {
            if (!sched.gcwaiting()) {
                return false;
            }
            stopLocked(pp);
            return true;
        } finally {
            sched.lock.unlock();
        }
    }

    /**
     * A P handed off while the world is stopping stops instead of going idle (the gcwaiting
     * branch of Go's handoffp).
     *
     * <p>Concurrency: requires sched.lock, the world stopping; the thread handing off {@code pp}.
     */
    void stopLocked(P pp) {
        assert sched.lock.isHeld() && sched.gcwaiting();
        pp.casstatus(P.IDLE, P.GCSTOP);
        stoppedLocked();
    }

    /**
     * Port of runtime.entersyscall_gcwait: {@code pp} has just gone to SYSCALL while the world is
     * stopping; stop it unless the stopper already has.
     *
     * <p>Concurrency: the M entering the system call.
     */
    void syscallGcwait(P pp) {
        sched.lock.lock();
        try {
            if (stopwait > 0 && pp.tryCasstatus(P.SYSCALL, P.GCSTOP)) {
                pp.syscalltick++;
                stoppedLocked();
            }
        } finally {
            sched.lock.unlock();
        }
    }

    @Override
    public int preemptAll() {
        M self = ownM();
        G skip = self != null ? self.curg : null;
        int n = 0;
        for (P pp : sched.allp) {
            if (pp.status() == P.RUNNING && Sched.preemptone(pp, skip)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public int awaitStopped(long nanos) {
        return await(() -> stopwait, nanos);
    }

    private interface Count {
        int get();
    }

    private int await(Count c, long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (true) {
            int w = c.get();
            if (w == 0) {
                return 0;
            }
            if (sched.stopping()) {
                throw new IllegalStateException("runtime closed while waiting for " + w + " Ps");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return w;
            }
            LockSupport.parkNanos(this, left);
        }
    }

    @Override
    public int pStatus(int pid) {
        P[] every = sched.everyP;
        if (pid < 0 || pid >= every.length) {
            throw new IllegalArgumentException("no P " + pid + " (" + every.length + " exist)");
        }
        return every[pid].status(); // P's constants are ProcControl's
    }

    @Override
    public String describeRunning() {
        StringBuilder sb = new StringBuilder();
        for (P pp : sched.allp) {
            int st = pp.status();
            if (st == P.GCSTOP || st == P.DEAD) {
                continue;
            }
            M mp = pp.m;
            G gp = mp != null ? mp.curg : null;
            sb.append("P").append(pp.id).append(' ').append(P.statusName(st));
            if (mp != null) {
                sb.append(" on M").append(mp.mid);
            }
            if (gp != null) {
                sb.append(", goroutine ")
                        .append(gp.goid)
                        .append(" (no safe point reached: long loops need Go.checkpoint())");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    // ---- start the world and procresize ----

    @Override
    public int startWorld(int newprocs) {
        return start(newprocs, false);
    }

    @Override
    public void abortStop() {
        start(0, true);
    }

    /** startWorld, or with {@code abort} the end of a stop that some Ps never reached. */
    private int start(int newprocs, boolean abort) {
        if (newprocs < 0) {
            throw new IllegalArgumentException("procs must be >= 0, got " + newprocs);
        }
        if (newprocs > sched.maxmcount - 1) {
            throw new IllegalArgumentException(
                    "procs must be at most maxThreads - 1 (" + (sched.maxmcount - 1) + "), got " + newprocs);
        }
        M mp;
        int ustate;
        int prev;
        P runnable;
        P moved;
        sched.lock.lock();
        try {
            if (!sched.gcwaiting()) {
                throw new IllegalStateException("startTheWorld: the world is not stopped");
            }
            if (stopwait != 0 && !abort) {
                throw new IllegalStateException("startTheWorld: " + stopwait + " Ps have not stopped");
            }
            stopwait = 0; // (abort: a P still on its way finds gcwaiting down and carries on)
            mp = stopperM;
            ustate = stopperUstate;
            stopperM = null;
            waiter = null;
            prev = sched.gomaxprocs;
            runnable = procresize(newprocs > 0 ? newprocs : prev, mp);
            moved = timersMovedTo;
            timersMovedTo = null;
            sched.safepoint &= ~GCWAITING; // volatile write
        } finally {
            sched.lock.unlock();
        }
        while (runnable != null) {
            P pp = runnable;
            runnable = pp.link;
            pp.link = null;
            Ms.startm(sched, pp, false);
        }
        // Wake up an additional proc in case there are excessive runnable goroutines in local
        // queues or in the global queue.
        Ms.wakep(sched);
        if (moved != null) {
            // Moved timers: Ms parked until the old Ps' deadlines and a stopper busy on the
            // destination P may leave them late; wake the waiter or start an M, as after handoffp.
            Timers.afterHandoff(sched, moved);
        }
        Sysmon sm = sched.sysmon;
        if (sm != null) {
            sm.wake();
        }
        sched.lock.lock();
        try {
            Fatal.checkdead(sched); // Ms idled during the stop without checking
        } finally {
            sched.lock.unlock();
        }
        if (mp != null) {
            mp.leaveRuntime(ustate);
        }
        return prev;
    }

    /**
     * Start-up (Go's schedinit calls procresize too): {@code nprocs} new Ps, all idle.
     *
     * <p>Concurrency: requires sched.lock, before any M starts.
     */
    void procinit(int nprocs) {
        P runnable = procresize(nprocs, null);
        if (runnable != null) {
            throw new IllegalStateException("procinit: new Ps with work");
        }
    }

    /**
     * Port of runtime.procresize: makes {@code nprocs} Ps current. Returns the Ps with local work
     * (linked through {@code link}); the others are on the idle list, except the stopper's.
     *
     * <p>Concurrency: requires sched.lock, the world stopped.
     */
    private P procresize(int nprocs, M mp) {
        assert sched.lock.isHeld();
        P[] old = sched.allp;
        int oldn = old.length;
        P[] every = sched.everyP;
        if (nprocs > every.length) {
            P[] grown = Arrays.copyOf(every, nprocs);
            for (int i = every.length; i < nprocs; i++) {
                P pp = new P(i, sched.runqCapacity, sched.runq);
                pp.casstatus(P.IDLE, P.GCSTOP);
                grown[i] = pp;
            }
            Timers.pinit(sched, Arrays.copyOfRange(grown, every.length, nprocs));
            sched.everyP = every = grown;
        }
        for (int i = oldn; i < nprocs; i++) { // revive Ps a decrease killed
            if (every[i].status() == P.DEAD) {
                every[i].casstatus(P.DEAD, P.GCSTOP);
            }
        }
        P[] ps = Arrays.copyOf(every, nprocs);

        P cur = mp != null ? mp.p : null;
        if (cur != null && cur.id < nprocs) {
            cur.casstatus(P.GCSTOP, P.RUNNING); // continue to use the current P
        } else if (cur != null) { // the stopper's P goes away: release it, take P0
            cur.m = null;
            mp.p = null;
            P p0 = ps[0];
            p0.casstatus(P.GCSTOP, P.IDLE);
            mp.acquirep(p0);
            cur = p0;
        }
        P into = cur != null ? cur : ps[0]; // (oldn < nprocs at start-up: nothing to destroy)
        for (int i = nprocs; i < oldn; i++) {
            destroy(old[i], into);
            timersMovedTo = into;
        }
        // One snapshot of the Ps and their masks (AllP), taken after the destroys wrote into's
        // timer bit; allp follows for the readers that use no mask.
        sched.allP = sched.allP.resized(ps);
        sched.allp = ps;
        sched.gomaxprocs = nprocs;

        P runnable = null;
        for (int i = nprocs - 1; i >= 0; i--) {
            P pp = ps[i];
            if (pp == cur || pp.status() != P.GCSTOP) {
                continue; // (not GCSTOP: an abandoned stop this P never reached; it runs on)
            }
            pp.casstatus(P.GCSTOP, P.IDLE);
            if (pp.runq.runqempty()) {
                sched.pidleput(pp);
            } else {
                pp.link = runnable;
                runnable = pp;
            }
        }
        return runnable;
    }

    /**
     * Port of runtime.(*p).destroy. Precondition: {@code pp} is stopped (GCSTOP: nobody runs it
     * and it is on no idle list); its goroutines move out before it dies.
     *
     * <p>Concurrency: procresize.
     */
    private void destroy(P pp, P into) {
        assert pp.status() == P.GCSTOP : pp + " destroyed while not stopped";
        pp.runq.drainTo(sched.runq); // runnext included: the global queue takes them all
        assert pp.runq.runqempty();
        Timers.moveTimers(sched, pp, into);
        NewProc.gfpurge(sched, pp);
        pp.goidcache = 0;
        pp.goidcacheend = 0;
        pp.casstatus(pp.status(), P.DEAD);
    }

    // ---- forEachP ----

    @Override
    public int safePointBegin(IntConsumer fn) {
        Objects.requireNonNull(fn, "fn");
        M mp = ownM();
        P cur = mp != null ? mp.p : null;
        List<P> idle = new ArrayList<>();
        sched.lock.lock();
        try {
            if (sched.gcwaiting()) {
                throw new IllegalStateException("forEachP: the world is stopped");
            }
            if (safePointFn != null) {
                throw new IllegalStateException("forEachP: another forEachP is running");
            }
            safePointErrors.clear();
            safePointFn = fn;
            safePointWait.set(sched.gomaxprocs - (cur != null ? 1 : 0));
            for (P pp : sched.allp) {
                if (pp != cur) {
                    pp.requestSafePointFn(true);
                }
            }
            waiter = Thread.currentThread();
            sched.safepoint |= SAFE_POINT_FN; // volatile write after the flags
            P pp;
            while ((pp = sched.pidleget()) != null) { // no M can start on them while we run fn
                idle.add(pp);
            }
        } finally {
            sched.lock.unlock();
        }
        preemptAll();
        for (P pp : idle) {
            runSafePointFn(pp);
        }
        if (!idle.isEmpty()) {
            sched.lock.lock();
            try {
                for (P pp : idle) {
                    sched.pidleput(pp);
                }
            } finally {
                sched.lock.unlock();
            }
            if (!sched.runq.isEmpty()) {
                Ms.wakep(sched); // a submitter may have found no idle P meanwhile
            }
        }
        if (cur != null) {
            call(fn, cur);
        }
        for (P pp : sched.allp) { // Ps in a system call: take them as retake does
            if (pp.safePointFnPending() && pp.status() == P.SYSCALL && pp.tryCasstatus(P.SYSCALL, P.IDLE)) {
                pp.syscalltick++;
                Ms.handoffp(sched, pp); // runs fn on its behalf
            }
        }
        return safePointWait.get();
    }

    private void call(IntConsumer fn, P pp) {
        try {
            fn.accept(pp.id);
        } catch (Throwable t) {
            safePointErrors.add(t);
        }
    }

    /**
     * Port of runtime.runSafePointFn: runs the pending forEachP function for {@code pp} if this
     * caller claims it.
     *
     * <p>Concurrency: the thread that owns {@code pp} (its M, or whoever acts for an idle or
     * syscall P).
     */
    void runSafePointFn(P pp) {
        if (!pp.claimSafePointFn()) {
            return;
        }
        call(safePointFn, pp);
        if (safePointWait.decrementAndGet() == 0) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    @Override
    public int awaitSafePoints(long nanos) {
        return await(safePointWait::get, nanos);
    }

    @Override
    public List<Throwable> safePointEnd() {
        sched.lock.lock();
        try {
            safePointFn = null;
            waiter = null;
            sched.safepoint &= ~SAFE_POINT_FN;
            for (P pp : sched.everyP) {
                pp.requestSafePointFn(false);
            }
            List<Throwable> errs = List.copyOf(safePointErrors);
            safePointErrors.clear();
            return errs;
        } finally {
            sched.lock.unlock();
        }
    }
}
