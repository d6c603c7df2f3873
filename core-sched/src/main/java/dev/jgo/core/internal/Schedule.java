package dev.jgo.core.internal;

import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier.ParkUnlock;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.SchedEvents;

/**
 * The schedule loop of an M (Go's {@code schedule}, {@code execute}, {@code park_m}, {@code
 * gosched_m} and {@code goexit0}): one round of the scheduler, the run of a goroutine with the
 * operation it yielded for (see "mcall on continuations" and "Hand-off to runnext" in {@link M}),
 * and the stops for a safe point or for an M waiting for a P. The M passed first is the M that
 * runs the loop.
 */
final class Schedule {

    private Schedule() {}

    /**
     * Port of runtime.schedule: one round of the scheduler, find a runnable goroutine and run it.
     *
     * <p>Concurrency: this M, holding a P.
     */
    static void schedule(M mp) {
        boolean knownEmpty = mp.localEmpty;
        mp.localEmpty = false;
        if (mp.lockedg != null) {
            // this M is wired to a goroutine that is not running: wait until it is runnable and
            // another M hands us a P for it
            G lg = mp.lockedg;
            if (!LockedM.stoplockedm(mp)) {
                return;
            }
            execute(mp, lg, false);
            return;
        }
        if (mp.sched.pWaiting != 0 && handOffToPWaiter(mp)) {
            return;
        }
        if (mp.sched.safepoint != 0 && safePoint(mp)) {
            return; // stopped for a stop-the-world: start over
        }
        // execute's hand-off fast path has just found this P's queue empty: only this M puts
        // into it, so go straight to findRunnable (which looks there again first)
        G gp = knownEmpty ? null : localRunnable(mp, mp.p);
        boolean inherit = mp.inheritTime;
        if (gp == null) {
            gp = FindRunnable.findRunnable(mp); // blocks until work is available
            if (gp == null) {
                return; // stopping
            }
            inherit = mp.inheritTime;
        }
        // This thread is going to run a goroutine and is not spinning anymore, so if it was
        // marked as spinning we need to reset it now and potentially start a new spinning M.
        if (mp.spinning) {
            FindRunnable.resetspinning(mp);
        }
        if (gp.lockedm != null) {
            // Hands off own p to the locked m, then blocks waiting for a new p.
            LockedM.startlockedm(mp, gp);
            return;
        }
        execute(mp, gp, inherit);
    }

    /**
     * The local half of schedule: this P's due timers, the global queue once every {@code
     * globalQueueInterval} schedticks, then the local queue, runnext first. Sets {@link
     * #inheritTime}. Shared by schedule and the hand-off fast path so that both keep the same
     * fairness accounting.
     *
     * <p>Concurrency: this M, holding {@code pp}.
     */
    static G localRunnable(M mp, P pp) {
        FairnessPolicy f = mp.sched.fairness;
        Timers.checkTimers(mp.sched, pp); // timers: run this P's due timers (Go: top of findRunnable)
        // Check the global runnable queue once in a while to ensure fairness. Otherwise two
        // goroutines can completely occupy the local runqueue by constantly respawning each
        // other.
        if (pp.schedtick % f.globalQueueInterval() == 0 && !mp.sched.runq.isEmpty()) {
            G gp = Ready.globrunqget(mp.sched, pp, 1);
            if (gp != null) {
                mp.inheritTime = false;
                return gp;
            }
        }
        G gp = pp.runq.runqget();
        mp.inheritTime = gp != null && pp.runq.lastFromRunnext && f.runnextInheritsTimeSlice();
        return gp;
    }

    /**
     * The hand-off fast path (see "Hand-off to runnext"): after the running goroutine parked,
     * yielded or ended, the next goroutine of this P, taken exactly as schedule takes it, or null
     * when schedule must run (a safe point, a P waiter, a locked M, shutdown, or no local work).
     *
     * <p>Concurrency: this M, holding a P, not spinning.
     */
    static G handoffNext(M mp) {
        assert !mp.spinning : "a running M is not spinning";
        if (mp.lockedg != null
                || mp.exitWithLockedG
                || mp.sched.pWaiting != 0
                || mp.sched.safepoint != 0
                || mp.sched.stopping()
                || mp.p == null) {
            return null;
        }
        G gp = localRunnable(mp, mp.p);
        mp.localEmpty = gp == null;
        return gp;
    }

    /**
     * The safe point at the top of schedule and findRunnable (see World "stopping the world"):
     * runs a pending forEachP function for this P, and stops the P if the world is stopping.
     * Returns true if it stopped: the M then holds a new P, or the runtime is stopping.
     *
     * <p>Concurrency: this M, holding a P.
     */
    static boolean safePoint(M mp) {
        P pp = mp.p;
        if (pp.safePointFnPending()) {
            mp.sched.world.runSafePointFn(pp);
        }
        if (!mp.sched.gcwaiting()) {
            return false;
        }
        gcstopm(mp);
        return true;
    }

    /**
     * Port of runtime.gcstopm: stops the current M for stop-the-world; returns when the world
     * is restarted, holding a P (or with none if the runtime is stopping).
     *
     * <p>Concurrency: this M, holding a P.
     */
    static void gcstopm(M mp) {
        if (mp.spinning) {
            // OK to just drop nmspinning here, startTheWorld will unpark threads as necessary.
            FindRunnable.dropSpinning(mp);
        }
        if (stopPForWorld(mp)) {
            FindRunnable.stopm(mp);
        }
    }

    /**
     * Releases this M's P and stops it for the world; true if it stopped, false if the stop was
     * abandoned meanwhile (World.abortStop) and this M took its P back. Concurrency: this M.
     */
    static boolean stopPForWorld(M mp) {
        P pp = mp.releasep();
        if (mp.sched.world.gcstop(pp)) {
            return true;
        }
        mp.acquirep(pp);
        return false;
    }

    /**
     * A carrier whose mounted goroutine needs a P (pinned, or its P handed off automatically)
     * cannot queue that goroutine; so at each schedule an M with a P gives it to the
     * longest-waiting such carrier, as startlockedm does for a locked M, and stops. Without this
     * a P that never goes idle (a busy loop of yields) would starve the waiter forever.
     *
     * <p>Concurrency: this M, holding a P.
     */
    static boolean handOffToPWaiter(M mp) {
        M w;
        mp.sched.lock.lock();
        try {
            w = mp.sched.pollPWaiter();
        } finally {
            mp.sched.lock.unlock();
        }
        if (w == null) {
            return false;
        }
        if (mp.spinning) {
            FindRunnable.resetspinning(mp);
        }
        w.nextp = mp.releasep();
        w.notewakeup();
        FindRunnable.stopm(mp);
        return true;
    }

    /**
     * Port of runtime.execute: runs {@code gp} on this M until it yields or ends, then performs
     * the operation it asked for (see "mcall on continuations").
     *
     * <p>Concurrency: this M, holding a P.
     */
    static void execute(M mp, G gp, boolean inherit) {
        mp.ranSinceWake = true;
        SchedEvents ev = mp.sched.events;
        while (gp != null) {
            if (gp.vt != null) { // a JDK virtual thread: see VirtualThreads "Virtual threads in the run queues"
                VirtualThreads.run(mp, gp, inherit);
                if ((gp = handoffNext(mp)) == null) {
                    return;
                }
                inherit = mp.inheritTime;
                if (gp.lockedm != null) {
                    LockedM.startlockedm(mp, gp);
                    return;
                }
                continue;
            }
            P pp = mp.p;
            mp.curg = gp;
            gp.m = mp;
            gp.casgstatus(G.RUNNABLE, G.RUNNING);
            gp.clearPreempt();
            if (!inherit) {
                pp.schedtick++;
            }
            gp.budget = mp.sched.fairness.operationBudget();
            if (ev != null) {
                Emit.goStart(ev, gp.goid, pp.id, mp.mid);
            }
            mp.mcallOp = M.OP_NONE;
            if (mp.auto) {
                M.USTATE.setRelease(mp, M.USTATE_USER); // "Automatic hand-off", step 1
            }
            gp.cont.run();
            M.ignoreInterrupt(); // the goroutine left its carrier: its interrupt ends (Carrier "Interrupts")
            mp.enterRuntime(); // a finished goroutine returns here without a Carrier call
            mp.curg = null;
            gp.m = null;
            if (mp.p == null && mp.sched.stopping()) { // a pinned goroutine ended by close()
                return;
            }
            int op = gp.cont.isDone() ? M.OP_EXIT : mp.mcallOp;
            mp.mcallOp = M.OP_NONE;
            G next = switch (op) {
                case M.OP_EXIT -> {
                    goexit0(mp, gp);
                    yield null;
                }
                case M.OP_PARK -> parkM(mp, gp);
                case M.OP_GOSCHED -> goschedM(mp, gp);
                case M.OP_EXITSYSCALL -> Syscall.exitsyscall0(mp, gp);
                default -> throw new IllegalStateException("goroutine " + gp.goid + " yielded without an mcall op");
            };
            if (next != null) { // the same goroutine goes on (an unlock function refused, a P after a syscall)
                gp = next;
                inherit = true;
                continue;
            }
            if (op == M.OP_EXITSYSCALL || (gp = handoffNext(mp)) == null) {
                return; // schedule() finds the next goroutine
            }
            inherit = mp.inheritTime;
            if (gp.lockedm != null) {
                LockedM.startlockedm(mp, gp); // as schedule does for a goroutine locked to another M
                return;
            }
        }
    }

    /**
     * Port of runtime.park_m: the goroutine is off its stack; make it waiting, then run its
     * unlock function. Returns the goroutine to resume at once if the unlock function refused.
     */
    static G parkM(M mp, G gp) {
        gp.casgstatus(G.RUNNING, G.WAITING);
        if (mp.sched.events instanceof SchedEvents ev) {
            Emit.goPark(ev, gp.goid, gp.waitreason, mp.p.id);
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

    /**
     * Port of runtime.goschedImpl: the goroutine goes to the global queue, or with a fairness
     * policy that says so ({@code FairnessPolicy.yieldToGlobalQueue}) to this P's queue tail.
     */
    static G goschedM(M mp, G gp) {
        gp.casgstatus(G.RUNNING, G.RUNNABLE);
        if (mp.sched.events instanceof SchedEvents ev) {
            Emit.goYield(ev, gp.goid, mp.p.id);
        }
        if (mp.sched.fairness.yieldToGlobalQueue()) {
            Ready.globrunqput(mp.sched, gp);
        } else {
            Ready.runqput(mp.sched, mp.p, gp, false, mp);
        }
        return null;
    }

    /**
     * Port of runtime.goexit0: the goroutine's body returned or threw. Completes a main
     * goroutine's run call, reports an exception, and puts the G on the free list.
     */
    static void goexit0(M mp, G gp) {
        if (gp.readgstatus() != G.RUNNING) { // a runtime invariant broke inside the goroutine
            throw new IllegalStateException(
                    "goexit0: goroutine " + gp.goid + " ended in status " + G.statusName(gp.readgstatus()), gp.panic);
        }
        gp.casgstatus(G.RUNNING, G.DEAD);
        P pp = mp.p;
        pp.goroutinesExited++;
        if (mp.sched.events instanceof SchedEvents ev) {
            Emit.goExit(ev, gp.goid, pp.id);
        }
        Throwable t = gp.panic;
        if (gp.main != null) {
            // complete, then remove (see NewProc.newprocExternal): this M is not idle, so no
            // checkdead acts on the entry in between
            if (t != null) {
                gp.main.completeExceptionally(t);
            } else {
                gp.main.complete(gp.result);
            }
            mp.sched.mains.remove(gp.main);
        } else if (t != null) {
            if (mp.sched.uncaughtHandler != null) {
                try {
                    mp.sched.uncaughtHandler.accept(new GoHandle(gp), t); // before gfput frees gp
                } catch (Throwable t2) {
                    t2.addSuppressed(t);
                    Fatal.die(mp.sched, gp, t2);
                }
            } else {
                Fatal.die(mp.sched, gp, t);
            }
        }
        if (gp.lockedm != null) {
            gp.lockedm = null;
            gp.lockedCount = 0;
            mp.lockedg = null;
            mp.exitWithLockedG = true;
        }
        gp.fn = null;
        gp.cont = null;
        gp.main = null;
        gp.result = null;
        gp.panic = null;
        gp.waitreason = WaitReason.ZERO;
        NewProc.gfput(mp.sched, pp, gp);
    }
}
