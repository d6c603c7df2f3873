package dev.jgo.core.internal;

import dev.jgo.spi.SchedEvents;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * System calls of the M: the blocking sections of {@link M#blocking} and {@link M#blockingLong}
 * (Go's {@code entersyscall}, {@code entersyscallblock}, {@code exitsyscall} and {@code
 * exitsyscall0}). The M passed first is the M that runs the goroutine in the system call.
 */
final class Syscall {

    private Syscall() {}

    /** The system-call wrapper of both: entersyscall or entersyscallblock, the call, exitsyscall. */
    static <T> T syscall(M mp, Callable<T> call, boolean handOffNow) throws Exception {
        Objects.requireNonNull(call, "call");
        int prev = mp.enterRuntime();
        G gp = mp.curg;
        if (mp.p == null) { // nested blocking call: already off the P
            try {
                return call.call();
            } finally {
                mp.leaveRuntime(prev);
            }
        }
        if (handOffNow) {
            entersyscallblock(mp, gp);
        } else {
            entersyscall(mp, gp);
        }
        try {
            return call.call();
        } finally {
            if (exitsyscall(mp, gp)) { // the goroutine never left this M during the call
                mp.leaveRuntime(prev);
            }
        }
    }

    /**
     * Port of runtime.entersyscall (reentersyscall): the goroutine goes to SYSCALL, the P to
     * SYSCALL with no M; this M remembers it as {@code oldp}. From the status store on, the P
     * belongs to whoever wins the CAS from SYSCALL: this M in exitsyscall or sysmon in retake.
     *
     * <p>Concurrency: the goroutine running on this M.
     */
    static void entersyscall(M mp, G gp) {
        P pp = mp.p;
        if (mp.sched.safepoint != 0 && pp.safePointFnPending()) {
            mp.sched.world.runSafePointFn(pp); // while this M still runs pp, as Go's reentersyscall
        }
        pp.syscalltick++;
        gp.casgstatus(G.RUNNING, G.SYSCALL);
        if (mp.sched.events instanceof SchedEvents ev) {
            Emit.goSyscall(ev, gp.goid, true, pp.id);
        }
        mp.oldp = pp;
        pp.m = null;
        mp.p = null;
        pp.casstatus(P.RUNNING, P.SYSCALL); // volatile: publishes the P's state to retake
        if (mp.sched.gcwaiting()) {
            mp.sched.world.syscallGcwait(pp); // the stopper may have missed this P
        }
        if (!pp.runq.runqempty()) {
            mp.sched.sysmon.nudge(); // others wait on this P: let sysmon look soon
        }
    }

    /** Port of runtime.entersyscallblock. Concurrency: the goroutine running on this M. */
    static void entersyscallblock(M mp, G gp) {
        P pp = mp.p;
        pp.syscalltick++;
        gp.casgstatus(G.RUNNING, G.SYSCALL);
        if (mp.sched.events instanceof SchedEvents ev) {
            Emit.goSyscall(ev, gp.goid, true, pp.id);
        }
        // Straight from RUNNING to IDLE: a SYSCALL status here would let sysmon's retake race
        // this hand-off for the same P.
        Ms.handoffp(mp.sched, mp.releasep());
    }

    /**
     * Port of runtime.exitsyscall: take an idle P and carry on, else (exitsyscall0) the
     * goroutine goes to the global queue and this M stops. Returns whether the goroutine carried
     * on without yielding (so it is still on this M).
     *
     * <p>Concurrency: the goroutine running on this M, holding no P.
     */
    static boolean exitsyscall(M mp, G gp) {
        P op = mp.oldp;
        mp.oldp = null;
        // fast path: the P we left is still in SYSCALL (sysmon did not retake it): take it back
        if (op != null && op.status() == P.SYSCALL && op.tryCasstatus(P.SYSCALL, P.IDLE)) {
            mp.acquirep(op);
            gp.casgstatus(G.SYSCALL, G.RUNNING);
            if (mp.sched.events instanceof SchedEvents ev) {
                Emit.goSyscall(ev, gp.goid, false, op.id);
            }
            return true;
        }
        P pp;
        pp = mp.sched.pidlegetLocked();
        if (pp != null) {
            mp.acquirep(pp);
            gp.casgstatus(G.SYSCALL, G.RUNNING);
            if (mp.sched.events instanceof SchedEvents ev) {
                Emit.goSyscall(ev, gp.goid, false, pp.id);
            }
            return true;
        }
        mp.mcall(M.OP_EXITSYSCALL);
        return false; // resumed, possibly on another M: this one must not be touched
    }

    /**
     * Port of runtime.exitsyscall0: the goroutine is off its stack with no P for it. Take an
     * idle P if one appeared, else queue it globally and stop this M.
     */
    static G exitsyscall0(M mp, G gp) {
        gp.casgstatus(G.SYSCALL, G.RUNNABLE);
        P pp;
        mp.sched.lock.lock();
        try {
            pp = mp.sched.pidleget();
            if (pp == null) {
                Ready.globrunqput(mp.sched, gp);
            }
        } finally {
            mp.sched.lock.unlock();
        }
        if (pp != null) {
            mp.acquirep(pp);
            return gp;
        }
        // The global queue may now be the only work while every other M sleeps: the
        // "global run queue" re-check, from the submitter's side.
        Ms.wakep(mp.sched);
        if (mp.lockedg != null) {
            return null; // schedule() waits for it in stoplockedm
        }
        FindRunnable.stopm(mp); // with a P again, or the runtime is stopping: either way schedule() goes on
        return null;
    }
}
