package dev.jgo.core.internal;

import dev.jgo.spi.NetPoller;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * M management (Go's {@code mput}, {@code mget}, {@code startm}, {@code newm}, {@code handoffp},
 * {@code wakep} and {@code mexit}): the idle M list, the start of an M for a P, the hand-off of a
 * P whose M blocks, and the wake-ups of "Worker thread parking/unparking" in {@link Sched}. Each
 * method takes the runtime ({@link Sched}) first.
 */
final class Ms {

    private Ms() {}

    /**
     * Port of runtime.mput: puts {@code mp} on the idle M list, then checks for deadlock.
     *
     * <p>Concurrency: requires sched.lock.
     */
    static void mput(Sched sched, M mp) {
        assert sched.lock.isHeld();
        mp.schedlink = sched.midle;
        sched.midle = mp;
        sched.nmidle++;
        Fatal.checkdead(sched);
    }

    /**
     * Port of runtime.mget.
     *
     * <p>Concurrency: requires sched.lock.
     */
    static M mget(Sched sched) {
        assert sched.lock.isHeld();
        M mp = sched.midle;
        if (mp != null && mp == sched.timerWaiter && mp.schedlink != null) {
            // timers: leave the M parked until the next timer where it is and hand out the next
            // idle M (Go: the M blocked in netpoll(delay) is not on the idle list). Taking it
            // would drop the wait: the other idle Ms sleep without a deadline.
            M next = mp.schedlink;
            mp.schedlink = next.schedlink;
            next.schedlink = null;
            sched.nmidle--;
            return next;
        }
        if (mp != null) {
            sched.midle = mp.schedlink;
            mp.schedlink = null;
            sched.nmidle--;
        }
        return mp;
    }

    /**
     * timers: takes {@code mp} off the idle M list after a timed park ended without a hand-off.
     * Returns false if it was not there (an M took it with mget and is handing it a P).
     *
     * <p>Concurrency: requires sched.lock.
     */
    static boolean mremove(Sched sched, M mp) {
        assert sched.lock.isHeld();
        M prev = null;
        for (M m = sched.midle; m != null; prev = m, m = m.schedlink) {
            if (m == mp) {
                if (prev == null) {
                    sched.midle = m.schedlink;
                } else {
                    prev.schedlink = m.schedlink;
                }
                m.schedlink = null;
                sched.nmidle--;
                return true;
            }
        }
        return false;
    }

    static int mcount(Sched sched) {
        return sched.mnext - sched.nmfreed;
    }

    /**
     * Port of runtime.wakep: tries to add one more P to execute goroutines. Called after a
     * goroutine was made runnable. See "Worker thread parking/unparking", step 2.
     *
     * <p>Concurrency: any thread.
     */
    static void wakep(Sched sched) {
        // StoreLoad: the caller's submit (a release store of a run queue tail, or an offer) must
        // be visible before we read npidle/nmspinning, pairing with the spinning M's decrement
        // of nmspinning followed by its re-check of every queue.
        java.lang.invoke.VarHandle.fullFence();
        if (sched.npidle.get() == 0) {
            return;
        }
        // be conservative about spinning threads
        if (sched.nmspinning.get() != 0 || !sched.nmspinning.compareAndSet(0, 1)) {
            return;
        }
        startm(sched, null, true);
    }

    /**
     * Port of runtime.startm: schedules some M to run {@code pp} (an idle P if null), creating an
     * M if needed. With {@code spinning}, the caller incremented nmspinning and startm either
     * passes that on to the M or undoes it.
     *
     * <p>Concurrency: any thread; takes sched.lock.
     */
    static void startm(Sched sched, P pp, boolean spinning) {
        M nmp;
        boolean held = true;
        sched.lock.lock();
        try {
            if (pp == null) {
                pp = sched.pidleget();
                if (pp == null) {
                    // The caller incremented nmspinning, but there are no idle Ps, so it's okay
                    // to just undo the increment and give up. Invariant: the undo happens under
                    // sched.lock (as in Go's wakep), so a P idled after our pidleget is idled
                    // after the undo too, and the wakep that follows that pidleput sees no
                    // phantom spinner (else its work or timers wait with every M parked).
                    if (spinning && sched.nmspinning.decrementAndGet() < 0) {
                        throw new IllegalStateException("startm: negative nmspinning");
                    }
                    return;
                }
            }
            if (sched.shutdown || sched.fatal != null) {
                pp.runq.drainTo(sched.runq); // pidleput's precondition: an idled P holds no work
                sched.pidleput(pp);
                if (spinning) {
                    sched.nmspinning.decrementAndGet();
                }
                return;
            }
            nmp = mget(sched);
            if (nmp == null) {
                int id = mReserveID(sched, pp, spinning);
                if (id < 0) {
                    return;
                }
                nmp = new M(sched, id);
                sched.allm.add(nmp);
                nmp.spinning = spinning;
                nmp.nextp = pp;
                held = false;
                sched.lock.unlock();
                newm(sched, nmp, pp, spinning);
                return;
            }
        } finally {
            if (held) {
                sched.lock.unlock();
            }
        }
        if (nmp.spinning) {
            throw new IllegalStateException("startm: m is spinning");
        }
        if (nmp.nextp != null) {
            throw new IllegalStateException("startm: m has p");
        }
        if (spinning && !pp.runq.runqempty()) {
            throw new IllegalStateException("startm: p has runnable gs");
        }
        // The caller incremented nmspinning, so set m.spinning in the new M.
        nmp.spinning = spinning;
        nmp.nextp = pp;
        nmp.notewakeup();
    }

    /**
     * Port of runtime.mReserveID with checkmcount: reserves an M id, or ends the runtime with
     * Go's "thread exhaustion" error when the thread limit is reached (returning -1 with {@code
     * pp} back on the idle list).
     *
     * <p>Concurrency: requires sched.lock.
     */
    static int mReserveID(Sched sched, P pp, boolean spinning) {
        assert sched.lock.isHeld();
        if (mcount(sched) >= sched.maxmcount) {
            // Go throws "thread exhaustion". A library must not take the process down: the P
            // stays idle until a carrier comes back from its blocking call, and the first time
            // this happens it is reported.
            pp.runq.drainTo(sched.runq); // an idle P holds no work: its goroutines wait globally
            sched.pidleput(pp);
            if (spinning) {
                sched.nmspinning.decrementAndGet();
            }
            sched.threadLimitHits++;
            if (sched.threadLimitHits == 1) {
                Sched.LOG.log(
                        System.Logger.Level.WARNING,
                        "jgo: runtime '" + sched.name + "' reached its limit of "
                                + sched.maxmcount
                                + " carrier threads (GoRuntime.Builder.maxThreads); Ps stay idle until a"
                                + " carrier returns from a blocking call");
            }
            return -1;
        }
        return sched.mnext++;
    }

    /**
     * Port of runtime.newm's thread start (newm1/newosproc): starts {@code nmp}'s thread through
     * {@link Sched#threadStarter}. Go throws "failed to create new OS thread"; a library must not end
     * the process nor let the caller (a goroutine in {@code Go.blocking}, sysmon in retake) die of
     * it. So a failed start is back-pressure, as at the thread limit: the M is forgotten, {@code
     * pp} goes back to the idle list with its work on the global queue, and sysmon retries ({@link
     * #retryStartm}) until a thread starts. The first failure of a burst is reported through
     * {@link Sched#LOG} with its cause.
     *
     * <p>Invariant restored: startm never throws for want of a thread, and an idle P with queued
     * work always has sysmon retrying for it ({@link Sched#mstartPending}).
     *
     * <p>Concurrency: any thread, not holding sched.lock; {@code nmp} is in {@link Sched#allm}, not
     * started, and holds {@code pp} in {@code nextp}.
     */
    static void newm(Sched sched, M nmp, P pp, boolean spinning) {
        OutOfMemoryError failure;
        sched.mstarting.incrementAndGet();
        try {
            sched.threadStarter.accept(nmp);
            // Invariant: a success ends the burst only once no start begun before it can still
            // fail (none in flight) and no retry is pending; else that failure is reported again.
            if (sched.mstarting.decrementAndGet() == 0 && sched.mstartReported.get() && !sched.mstartPending) {
                sched.mstartReported.set(false); // recovered: the next failure starts a new burst
            }
            return;
        } catch (OutOfMemoryError e) { // "unable to create native thread"
            failure = e;
        } catch (RuntimeException | Error e) {
            sched.mstarting.decrementAndGet();
            throw e;
        }
        sched.lock.lock();
        try {
            sched.allm.remove(nmp);
            sched.nmfreed++; // its id stays used: mcount() = mnext - nmfreed no longer counts it
            sched.mstartFailures++;
            nmp.nextp = null;
            nmp.spinning = false;
            pp.runq.drainTo(sched.runq); // an idle P holds no work: its goroutines wait globally
            sched.pidleput(pp);
            if (spinning) {
                sched.nmspinning.decrementAndGet();
            }
        } finally {
            sched.lock.unlock();
        }
        sched.mstartPending = true; // volatile write before the unpark: sysmon retries, never sleeps on it
        if (sched.mstartReported.compareAndSet(false, true)) {
            Sched.LOG.log(
                    System.Logger.Level.WARNING,
                    "jgo: runtime '" + sched.name + "' cannot start a carrier thread (" + failure
                            + "); its P stays idle and the scheduler retries",
                    failure);
        }
        sched.mstarting.decrementAndGet(); // settled: mstartPending and the report are visible
        Sysmon sm = sched.sysmon;
        if (sm != null) {
            LockSupport.unpark(sm);
        }
    }

    /**
     * Sysmon's retry after a failed thread start ({@link #newm}): clears {@link Sched#mstartPending}
     * and, if a P is idle while goroutines wait on the global queue, starts a spinning M for them
     * (wakep); a new failure sets the flag again for the next round.
     *
     * <p>Concurrency: sysmon.
     */
    static void retryStartm(Sched sched) {
        sched.mstartPending = false; // volatile write, then the reads of the queues in wakep (fenced)
        if (!sched.runq.isEmpty() || Timers.pending(sched)) {
            wakep(sched);
        }
    }

    /**
     * Port of runtime.handoffp: hands off {@code pp} from a syscall or locked M. Starts an M if
     * there is work for it, else puts it on the idle list.
     *
     * <p>Concurrency: any thread that owns {@code pp} but does not run it.
     */
    static void handoffp(Sched sched, P pp) {
        if (sched.safepoint != 0 && sched.world.handoff(pp)) {
            return; // stopped for a stop-the-world
        }
        // if it has local work, start it straight away
        if (!pp.runq.runqempty() || !sched.runq.isEmpty()) {
            startm(sched, pp, false);
            return;
        }
        // no local work, check that there are no spinning/idle M's, otherwise our help is not
        // required
        if (sched.nmspinning.get() + sched.npidle.get() == 0 && sched.nmspinning.compareAndSet(0, 1)) {
            startm(sched, pp, true);
            return;
        }
        boolean started;
        sched.lock.lock();
        try {
            // Invariant: no P goes idle while the world is stopping; checked under the lock (as
            // Go's handoffp does), since stopBegin may have swept the idle list after the check
            // at the top, and a P idled now would never stop.
            if (sched.gcwaiting()) {
                sched.world.stopLocked(pp);
                return;
            }
            started = !sched.runq.isEmpty();
            if (!started) {
                sched.pidleput(pp);
            }
        } finally {
            sched.lock.unlock();
        }
        if (started) {
            startm(sched, pp, false);
            return;
        }
        Timers.afterHandoff(sched, pp); // timers: an M must wait for the idle P's timers
        // Re-check after becoming idle: a submitter may have seen npidle == 0 before our put.
        if (!sched.runq.isEmpty()) {
            wakep(sched);
        }
    }

    /** Wakes every idle M so it sees shutdown or fatal and exits. Concurrency: any thread. */
    static void wakeAllIdle(Sched sched) {
        List<M> ms;
        sched.lock.lock();
        try {
            ms = new ArrayList<>(sched.allm);
        } finally {
            sched.lock.unlock();
        }
        for (M mp : ms) {
            mp.notewakeup();
        }
        NetPoller np = sched.netpoller;
        if (np != null) {
            np.wakeup(); // an M blocked in the poller
        }
    }

    /**
     * Port of runtime.mexit: called by an exiting M (shutdown, fatal error, or its locked
     * goroutine exited). The M leaves {@link Sched#allm}, so the list does not grow with Ms that
     * exited; it stays in {@link Sched#exiting} until its thread has ended, for close() to join.
     *
     * <p>Invariant: {@code allm.size() == mcount()} (every M counted is listed, and only those).
     *
     * <p>Concurrency: the exiting M; takes sched.lock.
     */
    static void mexit(Sched sched, M mp) {
        sched.lock.lock();
        try {
            sched.nmfreed++;
            sched.allm.remove(mp);
            sched.exiting.removeIf(m -> !m.isAlive());
            sched.exiting.add(mp);
            assert sched.allm.size() == mcount(sched) : "allm " + sched.allm.size() + " != mcount " + mcount(sched);
        } finally {
            sched.lock.unlock();
        }
    }
}
