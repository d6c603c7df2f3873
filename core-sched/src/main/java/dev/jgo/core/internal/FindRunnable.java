package dev.jgo.core.internal;

import dev.jgo.spi.NetPoller;
import dev.jgo.spi.SchedEvents;
import dev.jgo.spi.StealPolicy;
import dev.jgo.spi.TimerQueue;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The search for work of an M whose P has none (Go's {@code findRunnable}, {@code stealWork} and
 * {@code stopm}): the spinning state changes of "Worker thread parking/unparking" in {@link Sched},
 * the steal loop, the idle spin, and the parks of an idle M (on the idle M list, with a timer
 * deadline, or blocked in the network poller). The M passed first is the M that searches.
 */
final class FindRunnable {

    static final int STOPM_STOPPING = 0;
    static final int STOPM_HANDED_P = 1;
    static final int STOPM_WOKE = 2;
    static final int NETPOLL_BUSY = 3;

    /** How long an M that found the poller busy parks before it tries to poll again. */
    static final long NETPOLL_RETRY_NANOS = 10_000_000L;

    /**
     * The resolution of a blocking network poll's timeout: Java's {@code Selector.select(long)}
     * takes milliseconds (as Go's epoll_wait). An idle M waits for a timer in the poll only in
     * whole milliseconds; the rest, and a timer due sooner, is a timed park ({@link
     * #stopmUntil}), so a sleep keeps its precision once the JVM has a poller.
     */
    static final long NETPOLL_RESOLUTION_NANOS = 1_000_000L;

    private FindRunnable() {}

    /**
     * Port of runtime.resetspinning. See "Worker thread parking/unparking", step 3.
     *
     * <p>Concurrency: this M.
     */
    static void resetspinning(M mp) {
        if (!mp.spinning) {
            throw new IllegalStateException("resetspinning: not a spinning m");
        }
        dropSpinning(mp);
        // M wakeup policy is deliberately somewhat conservative, so check if we need to wakeup
        // another P here.
        Ms.wakep(mp.sched);
    }

    /**
     * This M stops spinning: the undo of {@link #becomeSpinning}. The decrement is a full fence
     * (the StoreLoad of "Worker thread parking/unparking", step 4, where findRunnable re-checks
     * every queue after it). Concurrency: this M, spinning.
     */
    static void dropSpinning(M mp) {
        mp.spinning = false;
        if (mp.sched.nmspinning.decrementAndGet() < 0) {
            throw new IllegalStateException("M" + mp.mid + ": negative nmspinning");
        }
        if (mp.sched.events instanceof SchedEvents ev) {
            Emit.spin(ev, mp.mid, mp.p != null ? mp.p.id : -1, false);
        }
    }

    static void becomeSpinning(M mp) {
        mp.spinning = true;
        mp.sched.nmspinning.incrementAndGet();
        mp.spins++;
        if (mp.sched.events instanceof SchedEvents ev) {
            Emit.spin(ev, mp.mid, mp.p != null ? mp.p.id : -1, true);
        }
    }

    /**
     * Port of runtime.findrunnable: finds a runnable goroutine to execute, trying other Ps'
     * queues and the global queue; parks the M when there is none. Sets {@link M#inheritTime}.
     *
     * <p>Concurrency: this M, holding a P on entry and on return (null return: stopping).
     */
    static G findRunnable(M mp) {
        while (true) {
            if (mp.sched.stopping()) {
                return null;
            }
            if (mp.sched.safepoint != 0 && Schedule.safePoint(mp)) {
                continue; // stopped for a stop-the-world, and holds a P again (or is stopping)
            }
            P pp = mp.p;
            mp.inheritTime = false;
            Timers.checkTimers(mp.sched, pp); // timers: after a wake-up this may be a new P
            // local runq
            G gp = pp.runq.runqget();
            if (gp != null) {
                mp.inheritTime = pp.runq.lastFromRunnext && mp.sched.fairness.runnextInheritsTimeSlice();
                return gp;
            }
            // global runq
            if (!mp.sched.runq.isEmpty()) {
                gp = Ready.globrunqget(mp.sched, pp, 0);
                if (gp != null) {
                    return gp;
                }
            }
            // Poll network. This netpoll is only an optimization before we resort to stealing:
            // we can safely skip it if there are no waiters or an M is blocked in the poller.
            NetPoller np = mp.sched.netpoller();
            if (np != null && np.waiters() > 0 && mp.sched.lastpoll.get() != 0) {
                List<NetPoller.Wake> ws = Netpoll.netpoll(np, 0);
                if (ws != null && !ws.isEmpty()) {
                    Netpoll.injectNet(mp.sched, ws, mp);
                    gp = pp.runq.runqget();
                    if (gp != null) {
                        return gp;
                    }
                }
            }
            // Steal work from other Ps. If the number of spinning Ms is at least the number of
            // busy Ps, block: this prevents excessive CPU use when GOMAXPROCS>>1 but the
            // program's parallelism is low.
            if (mp.spinning
                    || mp.sched.spinPolicy.maySpin(
                            mp.sched.nmspinning.get(), mp.sched.gomaxprocs, mp.sched.npidle.get())) {
                if (!mp.spinning) {
                    becomeSpinning(mp);
                }
                gp = stealWork(mp, pp);
                if (gp != null) {
                    return gp;
                }
            }

            // A spinning M polls the global queue a little longer before parking (SpinPolicy
            // idleSpinNanos; 0 in Go). Only spinning Ms do, so at most half the busy Ps' worth.
            if (mp.spinning) {
                gp = idleSpin(mp, pp);
                if (gp != null) {
                    return gp;
                }
            }

            // timers: run this P's timers that fell due while it stole and spun, before it gives
            // up the P. Invariant: a P does not go idle with a due timer of its own.
            if (Timers.checkTimersDue(mp.sched, pp)) {
                gp = pp.runq.runqget();
                if (gp != null) {
                    mp.inheritTime = pp.runq.lastFromRunnext && mp.sched.fairness.runnextInheritsTimeSlice();
                    return gp;
                }
            }

            // return P and block
            mp.sched.lock.lock();
            try {
                if (mp.sched.gcwaiting() || pp.safePointFnPending()) {
                    continue; // back to the top, where the safe point is served (unlocks first)
                }
                if (!mp.sched.runq.isEmpty()) {
                    gp = Ready.globrunqget(mp.sched, pp, 0);
                    if (gp != null) {
                        return gp;
                    }
                }
                if (mp.releasep() != pp) {
                    throw new IllegalStateException("findrunnable: wrong p");
                }
                mp.sched.pidleput(pp);
            } finally {
                mp.sched.lock.unlock();
            }

            // Delicate dance: the thread transitions from spinning to non-spinning, possibly
            // concurrently with the submission of new goroutines. Drop nmspinning first, then
            // re-check every queue (the decrement is the StoreLoad barrier). See "Worker thread
            // parking/unparking", step 4. If work turns up we restore spinning so that
            // resetspinning wakes another M for the rest.
            boolean wasSpinning = mp.spinning;
            if (mp.spinning) {
                dropSpinning(mp);
            }
            // check all runqueues once again, and the global queue (see "the global run queue")
            if (workAvailableNoP(mp)) {
                pp = mp.sched.pidlegetLocked();
                if (pp != null) {
                    mp.acquirep(pp);
                    if (wasSpinning) {
                        becomeSpinning(mp);
                    }
                    continue;
                }
            }
            // Poll network until next timer (see Sched "network poller"; a timer due within the
            // poll's resolution is left to stopmUntil, see NETPOLL_RESOLUTION_NANOS): the last M going idle
            // blocks in the poller; only one does (lastpoll swapped to 0).
            long pollUntil = Timers.wakeTime(mp.sched);
            np = mp.sched.netpoller();
            // Under virtual time an M blocked in the poller is not idle, so the clock could not
            // move: poll only while this runtime's goroutines wait on the network (wakers), when
            // the clock is stopped anyway (Synctest "Virtual time", step 2).
            if (np != null
                    && (np.waiters() > 0 || pollUntil != 0)
                    && (pollUntil == 0
                            || mp.sched.synctest.virtual
                            || pollUntil - mp.sched.nanotime() >= NETPOLL_RESOLUTION_NANOS)
                    && (!mp.sched.synctest.virtual || mp.sched.wakers.get() > 0)
                    && mp.sched.lastpoll.getAndSet(0) != 0) {
                int r = netpollBlock(mp, np, pollUntil);
                if (r == STOPM_STOPPING) {
                    return null;
                }
                if (r == STOPM_HANDED_P) {
                    // timers: as after stopmUntil below, an M that woke at its deadline runs the
                    // due timers of every P at once
                    if (pollUntil != 0 && mp.sched.nanotime() >= pollUntil) {
                        Timers.stealDueTimers(mp.sched, mp.p);
                    }
                    continue;
                }
                if (r == STOPM_WOKE) {
                    if (!stopm(mp)) {
                        return null;
                    }
                    continue;
                }
                // NETPOLL_BUSY: another thread polls (another runtime's M, or the poller's own
                // thread). It may stop polling without a word to us (its runtime closes), so
                // wait at most NETPOLL_RETRY_NANOS before trying again.
                long again = mp.sched.nanotime() + NETPOLL_RETRY_NANOS;
                pollUntil = pollUntil == 0 ? again : Math.min(pollUntil, again);
            }
            // timers: park until the earliest timer of any P, see "Timers" in Timers, step 3.
            if (pollUntil != 0) {
                int r = stopmUntil(mp, pollUntil);
                if (r == STOPM_STOPPING) {
                    return null;
                }
                if (r == STOPM_HANDED_P) {
                    continue;
                }
                pp = mp.sched.pidlegetLocked();
                if (pp != null) {
                    mp.acquirep(pp);
                    // timers: this M woke for the due timers of some P: run them now, whatever
                    // the spin policy says (without it, a non-spinning M parks again until the
                    // same past deadline and loops until the P's owner runs them)
                    Timers.stealDueTimers(mp.sched, pp);
                    continue;
                }
            }
            if (!stopm(mp)) {
                return null;
            }
        }
    }

    /** Polls the global queue for SpinPolicy.idleSpinNanos. Concurrency: this M, spinning, holding pp. */
    static G idleSpin(M mp, P pp) {
        long ns = mp.sched.spinPolicy.idleSpinNanos();
        if (ns <= 0 || mp.sched.synctest.virtual) {
            // Under virtual time the spin would only delay the clock's next jump: work comes from
            // the runtime's own goroutines, which checkdead sees (Synctest "Virtual time").
            return null;
        }
        long deadline = System.nanoTime() + ns;
        do {
            for (int i = 0; i < 64; i++) {
                if (!mp.sched.runq.isEmpty()) {
                    G gp = Ready.globrunqget(mp.sched, pp, 0);
                    if (gp != null) {
                        return gp;
                    }
                }
                Thread.onSpinWait();
            }
            // timers: stop spinning when one of this P's timers is due (findRunnable runs it)
        } while (System.nanoTime() < deadline && !Timers.ownDue(pp) && !mp.sched.stopping() && mp.sched.safepoint == 0);
        return null;
    }

    /** Whether any non-idle P or the global queue has work. Concurrency: this M, without a P. */
    static boolean workAvailableNoP(M mp) {
        if (!mp.sched.runq.isEmpty()) {
            return true;
        }
        AllP all = mp.sched.allP; // one snapshot: the idle mask of these Ps (AllP)
        for (P p2 : all.ps) {
            if (!all.idle(p2.id) && !p2.runq.runqempty()) {
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
    static G stealWork(M mp, P pp) {
        StealPolicy sp = mp.sched.stealPolicy;
        AllP all = mp.sched.allP; // one snapshot: the masks of these Ps (AllP)
        P[] allp = all.ps;
        int n = allp.length;
        if (n == 1) {
            return null;
        }
        int rounds = sp.rounds();
        long backoff = sp.runnextBackoffNanos();
        long minAge = sp.runnextMinAgeNanos();
        for (int i = 0; i < rounds; i++) {
            if (mp.sched.safepoint != 0) {
                return null; // GC work may be available: findRunnable's safe point serves it
            }
            mp.spinRounds++;
            boolean stealRunnext = sp.mayStealRunnext(i, rounds);
            int r = mp.sched.seed != null ? Seeded.rand(mp.sched, pp).nextInt() : mp.fastrand();
            int pos = sp.firstVictim(pp.id, n, r);
            int stride = sp.stride(n, r);
            for (int k = 0; k < n; k++, pos = (pos + stride) % n) {
                if (mp.sched.stopping()) {
                    return null;
                }
                P p2 = allp[pos];
                if (p2 == pp) {
                    continue;
                }
                // timers: run p2's due timers in the last round (Go: stealTimersOrRunNextG).
                if (i == rounds - 1) {
                    Timers.stealTimers(mp.sched, all, p2);
                    G tg = pp.runq.runqget();
                    if (tg != null) {
                        return tg;
                    }
                }
                // Don't bother to attempt to steal if p2 is idle.
                if (!all.idle(pos)) {
                    G gp = pp.runq.runqsteal(p2.runq, stealRunnext, p2.status() == P.RUNNING, backoff, minAge);
                    if (gp != null) {
                        pp.steals++;
                        pp.stolenGoroutines += pp.runq.lastStolen;
                        sp.stolen(pp.id, p2.id, pp.runq.lastStolen);
                        if (mp.sched.events instanceof SchedEvents ev) {
                            Emit.steal(ev, pp.id, p2.id, pp.runq.lastStolen);
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
    static boolean stopm(M mp) {
        if (mp.p != null) {
            throw new IllegalStateException("stopm holding p");
        }
        if (mp.spinning) {
            throw new IllegalStateException("stopm spinning");
        }
        if (!mp.ranSinceWake) {
            mp.emptyWakeups++;
        }
        mp.sched.lock.lock();
        try {
            Ms.mput(mp.sched, mp);
        } finally {
            mp.sched.lock.unlock();
        }
        mp.mParks++;
        mp.notesleep();
        if (mp.sched.stopping()) {
            return false;
        }
        acquireHandedP(mp);
        return true;
    }

    /**
     * The end of a park that startm ended: takes the P it handed over ({@code nextp}).
     *
     * <p>Concurrency: this M, holding no P, woken by startm.
     */
    private static void acquireHandedP(M mp) {
        mp.mUnparks++;
        mp.ranSinceWake = false;
        P pp = mp.nextp;
        mp.nextp = null;
        mp.acquirep(pp);
    }

    /** Timers.clearWaiter under sched.lock. Concurrency: this M. */
    static void clearTimerWaiter(M mp) {
        mp.sched.lock.lock();
        try {
            Timers.clearWaiter(mp.sched, mp);
        } finally {
            mp.sched.lock.unlock();
        }
    }

    /**
     * The blocking poll of the last idle M (see Sched "network poller"): blocks in the poller
     * until an event, the next timer ({@code pollUntil}, 0 if none) or a kick; then takes an
     * idle P for what it found.
     *
     * <p>Concurrency: this M, holding no P, having swapped {@code sched.lastpoll} to 0.
     *
     * @return STOPM_STOPPING, STOPM_HANDED_P (a P acquired, goroutines queued on it), STOPM_WOKE
     *     (no idle P: what it found went to the global queue) or NETPOLL_BUSY (another thread
     *     was polling; nothing done)
     */
    static int netpollBlock(M mp, NetPoller np, long pollUntil) {
        if (mp.p != null || mp.spinning) {
            throw new IllegalStateException("netpollBlock holding p or spinning");
        }
        mp.sched.lock.lock();
        try {
            mp.inNetpoll = true;
            Timers.setWaiter(mp.sched, mp, pollUntil); // an earlier timer kicks us out of the poll
        } finally {
            mp.sched.lock.unlock();
        }
        List<NetPoller.Wake> ws;
        try {
            M.ignoreInterrupt(); // a selector returns at once for an interrupted thread
            long delay = pollUntil == 0 ? -1 : Math.max(0, pollUntil - mp.sched.nanotime());
            if (delay >= NETPOLL_RESOLUTION_NANOS) {
                // whole milliseconds, rounded down: the poll rounds up, so the M would wake up to
                // a millisecond late; the rest is waited for by stopmUntil, to the microsecond
                delay -= delay % NETPOLL_RESOLUTION_NANOS;
            }
            if (delay > 0 && mp.sched.synctest.virtual) {
                delay = -1; // a virtual deadline comes only by an advance, which kicks us
            }
            ws = mp.sched.stopping() ? List.of() : Netpoll.netpoll(np, delay);
        } finally {
            mp.inNetpoll = false;
            mp.sched.lastpoll.set(TimerQueue.nanotime());
            clearTimerWaiter(mp);
        }
        if (mp.sched.stopping()) {
            return STOPM_STOPPING;
        }
        if (ws == null) {
            return NETPOLL_BUSY;
        }
        P pp = mp.sched.pidlegetLocked();
        if (pp == null) {
            Netpoll.injectNet(mp.sched, ws, null);
            return STOPM_WOKE;
        }
        mp.acquirep(pp);
        Netpoll.injectNet(mp.sched, ws, mp);
        return STOPM_HANDED_P;
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
    static int stopmUntil(M mp, long deadline) {
        if (mp.p != null || mp.spinning) {
            throw new IllegalStateException("stopmUntil holding p or spinning");
        }
        if (!mp.ranSinceWake) {
            mp.emptyWakeups++;
        }
        boolean timed;
        mp.sched.lock.lock();
        try {
            Ms.mput(mp.sched, mp);
            mp.timerKick = false;
            timed = Timers.setWaiter(mp.sched, mp, deadline);
        } finally {
            mp.sched.lock.unlock();
        }
        mp.mParks++;
        boolean handed = false;
        while (true) {
            if ((boolean) M.NOTE.getVolatile(mp)) { // pairs with notewakeup's volatile write
                handed = true;
                break;
            }
            if (mp.sched.stopping() || mp.timerKick) {
                break;
            }
            M.ignoreInterrupt();
            if (!timed) {
                LockSupport.park(mp);
                continue;
            }
            long left = deadline - mp.sched.nanotime();
            if (left <= 0) {
                break;
            }
            if (mp.sched.synctest.virtual) {
                // Virtual time moves only by an advance, which kicks the timer waiter or hands
                // out a P (Synctest "Virtual time", step 3).
                LockSupport.park(mp);
                continue;
            }
            LockSupport.parkNanos(mp, left);
        }
        if (!handed) {
            mp.mWakeups++; // by its deadline or a kick (a hand-off is counted by notesleep below)
            mp.sched.lock.lock();
            try {
                Timers.clearWaiter(mp.sched, mp);
                handed = !Ms.mremove(mp.sched, mp); // not on the list: startm took us, a P is coming
            } finally {
                mp.sched.lock.unlock();
            }
            if (handed) {
                mp.notesleep();
            }
        } else {
            M.NOTE.setVolatile(mp, false);
            mp.mWakeups++;
            clearTimerWaiter(mp);
        }
        if (mp.sched.stopping()) {
            return STOPM_STOPPING;
        }
        if (!handed) {
            return STOPM_WOKE;
        }
        acquireHandedP(mp);
        return STOPM_HANDED_P;
    }
}
