package dev.jgo.core.internal;

import dev.jgo.spi.Carrier.ParkUnlock;
import dev.jgo.spi.SchedEvents;
import java.util.concurrent.locks.LockSupport;

/**
 * Ms wired to one goroutine: LockOSThread (Go's {@code stoplockedm} and {@code startlockedm}) and
 * goroutines pinned to their carrier (see "Pinned goroutines" in {@link M}): the pinned park, the
 * pinned safe point, the park in a blocking section and the P a mounted goroutine waits for. The
 * M passed first is the M that runs this code.
 */
final class LockedM {

    private LockedM() {}

    /**
     * Port of runtime.stoplockedm: this M's goroutine is locked to it and not running; give the P
     * away and sleep until {@link #startlockedm} hands one back with the goroutine runnable.
     *
     * <p>Concurrency: this M.
     *
     * @return false if the runtime is stopping
     */
    static boolean stoplockedm(M mp) {
        if (mp.p != null) {
            Ms.handoffp(mp.sched, mp.releasep());
        }
        mp.sched.lock.lock();
        try {
            mp.sched.nmidlelocked++; // a locked M waiting for its G counts as idle for checkdead
            Fatal.checkdead(mp.sched);
        } finally {
            mp.sched.lock.unlock();
        }
        mp.notesleep();
        if (mp.sched.stopping()) {
            return false;
        }
        P pp = mp.nextp;
        mp.nextp = null;
        mp.acquirep(pp);
        int st = mp.lockedg.readgstatus();
        if (st != G.RUNNABLE) {
            throw new IllegalStateException("stoplockedm: lockedg (status " + G.statusName(st) + ") is not runnable");
        }
        return true;
    }

    /**
     * Port of runtime.startlockedm: {@code gp} is locked to another M; hand it this M's P, wake
     * it, and stop this M.
     *
     * <p>Concurrency: this M, holding a P.
     */
    static void startlockedm(M mp, G gp) {
        M lockedm = gp.lockedm;
        if (lockedm == mp) {
            throw new IllegalStateException("startlockedm: locked to me");
        }
        mp.sched.lock.lock();
        try {
            mp.sched.nmidlelocked--; // under the lock, so checkdead never sees the gap
        } finally {
            mp.sched.lock.unlock();
        }
        P pp = mp.releasep();
        lockedm.nextp = pp;
        lockedm.notewakeup();
        FindRunnable.stopm(mp);
    }

    /**
     * A safe point for a goroutine that cannot yield: runs the pending forEachP function for this
     * P; for a stop-the-world, stops the P and waits, still mounted, for a P after the restart
     * (as a pinned park does).
     *
     * <p>Concurrency: the goroutine running on this M, holding a P.
     */
    static void pinnedSafePoint(M mp, G gp) {
        P pp = mp.p;
        if (pp.safePointFnPending()) {
            mp.sched.world.runSafePointFn(pp);
        }
        if (mp.sched.gcwaiting() && Schedule.stopPForWorld(mp)) {
            acquirePForMounted(mp, gp);
        }
    }

    /**
     * Park for a goroutine whose continuation cannot yield (a native frame or a critical section
     * on its stack): the rest of the park is a blocking section. The unlock function runs first,
     * with this M still holding its P, as in park_m; then the P is handed off as in
     * entersyscallblock, the carrier thread blocks until {@link Ready#ready} unparks it, and it
     * re-acquires a P (waiting for one if none is idle).
     *
     * <p>Concurrency: the goroutine running on this M.
     */
    static void parkPinned(M mp, G gp) {
        mp.pinnedParks++;
        ParkUnlock fn = gp.parkUnlock;
        Object lock = gp.parkLock;
        gp.parkUnlock = null;
        gp.parkLock = null;
        gp.pinnedM = mp; // volatile: read by ready after its CAS to RUNNABLE
        P pp = mp.p;
        if (mp.sched.events instanceof SchedEvents ev) {
            Emit.goPark(ev, gp.goid, gp.waitreason, pp.id);
        }
        gp.casgstatus(G.RUNNING, G.WAITING);
        // Precondition of every unlock function: it runs on the M holding the goroutine's P. A
        // timer it adds goes to that P's queue, whose timer-mask bit handoffp then keeps; added
        // after the hand-off it would sit on an idle P with a clear bit, which no M looks at
        // (Timers "Timers", step 2: only a P's owner adds timers to it).
        assert mp.p == pp : "parkPinned: unlock function without the P";
        if (fn != null && !fn.unlock(gp, lock)) { // refused: resume at once, still on our P
            gp.pinnedM = null;
            gp.casgstatus(G.WAITING, G.RUNNABLE);
            gp.casgstatus(G.RUNNABLE, G.RUNNING);
            return;
        }
        Ms.handoffp(mp.sched, mp.releasep());
        mp.sched.lock.lock();
        try {
            // Counted as an idle M for checkdead until Ready.ready takes it back (under the same
            // lock, together with the status change). A ready that came first has already
            // decremented: the count is then briefly -1, which only delays deadlock detection,
            // never fakes it.
            mp.sched.npinned++;
            Fatal.checkdead(mp.sched);
        } finally {
            mp.sched.lock.unlock();
        }
        while (gp.readgstatus() == G.WAITING && !mp.sched.stopping()) {
            M.ignoreInterrupt(); // the pinned goroutine's wait ignores it too (Carrier "Interrupts")
            LockSupport.park(mp);
        }
        gp.pinnedM = null;
        if (mp.sched.stopping()) {
            throw closedWhile(mp, gp, "was parked");
        }
        acquirePinned(mp, gp);
    }

    /**
     * A park inside Go.blocking (see "Parking inside Go.blocking"): the goroutine holds no P and
     * stays on this carrier, which blocks until {@link Ready#ready} moves the goroutine back to
     * SYSCALL; the blocking call then goes on, and exitsyscall finds a P as usual.
     *
     * <p>Concurrency: the goroutine running on this M, holding no P.
     *
     * @throws IllegalStateException if the runtime is stopping (after {@code fn} ran)
     */
    static void parkInSyscall(M mp, G gp, Object lock, ParkUnlock fn) {
        if (mp.sched.stopping()) { // an abandoned goroutine that goes on after close (Schedule.execute)
            if (fn != null) {
                fn.unlock(gp, lock);
            }
            throw closedWhile(mp, gp, "was parked");
        }
        // Precondition: without a P, goroutine code runs only inside a blocking call.
        assert gp.readgstatus() == G.SYSCALL : G.statusName(gp.readgstatus());
        gp.parkedInSyscall = true;
        gp.pinnedM = mp; // volatile: publishes parkedInSyscall; read by ready after the CAS below
        gp.casgstatus(G.SYSCALL, G.WAITING);
        if (fn != null && !fn.unlock(gp, lock)) {
            gp.casgstatus(G.WAITING, G.SYSCALL);
        } else {
            mp.sched.lock.lock();
            try {
                mp.sched.npinned++; // idle for checkdead, as a pinned park (see parkPinned)
                Fatal.checkdead(mp.sched);
            } finally {
                mp.sched.lock.unlock();
            }
            boolean interrupted = false;
            while (gp.readgstatus() == G.WAITING && !mp.sched.stopping()) {
                LockSupport.park(mp);
                // As an uninterruptible lock: a set flag would make park return at once (a spin),
                // so take it and give it back to the blocking call once readied.
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                mp.interrupt();
            }
            mp.mWakeups++;
        }
        boolean withdrawn = false;
        mp.sched.lock.lock();
        try {
            // Under the lock ready takes: either ready moved us to SYSCALL, or we withdraw and a
            // later ready finds pinnedM cleared and leaves the goroutine alone.
            if (gp.readgstatus() == G.WAITING) {
                gp.casgstatus(G.WAITING, G.SYSCALL);
                mp.sched.npinned--;
                withdrawn = true;
            }
            gp.pinnedM = null;
        } finally {
            mp.sched.lock.unlock();
        }
        gp.parkedInSyscall = false;
        if (withdrawn) {
            throw closedWhile(mp, gp, "was parked");
        }
    }

    /** The exception a goroutine that cannot leave its carrier gets when its runtime closes. */
    static IllegalStateException closedWhile(M mp, G gp, String what) {
        return new IllegalStateException(
                "runtime '" + mp.sched.name + "' closed while goroutine " + gp.goid + " " + what);
    }

    /**
     * Gets a P for a RUNNABLE goroutine that is pinned to this carrier: an idle one, or the next
     * one that becomes idle (handed over by {@link Sched#pidleput}).
     */
    static void acquirePinned(M mp, G gp) {
        acquirePForMounted(mp, gp);
        gp.casgstatus(G.RUNNABLE, G.RUNNING);
    }

    /**
     * Gets a P for the goroutine mounted on this carrier, which cannot be queued (pinned, or its
     * P was handed off automatically): an idle P, else one handed over by {@link Sched#pidleput}
     * or by another M's schedule ({@link Schedule#handOffToPWaiter}).
     *
     * <p>Concurrency: this M, holding no P.
     */
    static void acquirePForMounted(M mp, G gp) {
        P pp;
        mp.sched.lock.lock();
        try {
            pp = mp.sched.pidleget();
            if (pp == null) {
                mp.sched.addPWaiter(mp);
            }
        } finally {
            mp.sched.lock.unlock();
        }
        if (pp == null) {
            mp.notesleep();
            if (mp.sched.stopping()) {
                throw closedWhile(mp, gp, "waited for a P");
            }
            pp = mp.nextp;
            mp.nextp = null;
        }
        mp.acquirep(pp);
    }
}
