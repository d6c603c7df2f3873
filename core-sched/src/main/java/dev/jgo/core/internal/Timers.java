package dev.jgo.core.internal;

import dev.jgo.spi.Carrier;
import dev.jgo.spi.TimerQueue;
import dev.jgo.spi.TimerQueueFactory;
import java.util.Comparator;
import java.util.ServiceLoader;

/**
 * The scheduler's side of the per-P timers (Go's {@code checkTimers}, {@code timerpMask}, {@code
 * checkTimersNoP}, {@code wakeNetPoller}); the queues themselves are the timer module's, found
 * through {@link TimerQueueFactory}. Kept out of {@link M} and {@link Sched}, which only call the
 * hooks marked "timers:".
 *
 * <h2>Design note: Timers</h2>
 *
 * The problem: a goroutine sleeps on its P's timer queue, but that P may go idle and its M park;
 * someone must run the timer on time without any M polling. Rejected: a timer thread (Go before
 * 1.14: a context switch per expiry, and a global lock); idle Ms waking every few milliseconds
 * (burns CPU, adds latency). Go's protocol, with {@code LockSupport.parkNanos} in place of the
 * network poller's timed wait:
 *
 * <ol>
 *   <li>An M runs its own P's due timers at the top of {@code schedule} and of each {@code
 *       findRunnable} pass, and once more before it gives up the P (a spinning M ends its idle
 *       poll when one falls due); a stealing M runs the due timers of every P in {@code
 *       timerpMask} in its last steal round (a busy P's timers are not held up by a long-running
 *       goroutine).
 *   <li>{@code timerpMask}: bit i is set while P i runs, and kept on {@code pidleput} only if P i
 *       has timers ({@code updateTimerPMask}); only a P's owner adds timers to it, so an idle P
 *       with a clear bit gets none.
 *   <li>An M going idle computes, after releasing its P and dropping {@code nmspinning} (both
 *       full fences), the earliest {@code nobarrierWakeTime} over the masked Ps. If there is one,
 *       it parks with that deadline and, if no M waits for an earlier time, records itself as
 *       {@code sched.timerWaiter} with {@code sched.pollUntil} (Go's M blocked in {@code
 *       netpoll(delay)}). At the deadline it leaves the idle M list, takes an idle P, runs the
 *       due timers of every masked P ({@link #stealDueTimers}, whether or not it may spin) and
 *       looks again.
 *   <li>Adding a timer, or moving one earlier ({@code wakeNetPoller}): if a waiter is parked
 *       until later, kick it (set its flag, unpark); with no waiter, {@code wakep}. The adder
 *       writes the queue, then reads the waiter and (in {@code wakep}, after a full fence) {@code
 *       npidle}/{@code nmspinning}; step 3 writes {@code npidle}/{@code nmspinning}, then reads
 *       the queues: one of the two sees the other, so a new timer is never left without an M.
 *   <li>{@code checkdead} counts live (not stopped) timers as able to wake a goroutine.
 * </ol>
 */
final class Timers {
    private Timers() {}

    /**
     * The factory of the runtime under construction when its configuration names one ({@link
     * dev.jgo.spi.RuntimeConfig#timerFactory()}, e.g. the OSGi component's bridge to the timer
     * bundle); bound by {@link CoreRuntimeProvider} around the constructor, read by {@link
     * #loadFactory} from the field initializer of {@code Sched}.
     */
    static final ScopedValue<TimerQueueFactory> CONFIGURED = ScopedValue.newInstance();

    /**
     * The configured factory if one is bound ({@link #CONFIGURED}); else the one named by {@value
     * TimerQueueFactory#PROPERTY}, else the highest priority; null if none.
     */
    static TimerQueueFactory loadFactory() {
        if (CONFIGURED.isBound()) {
            return CONFIGURED.get();
        }
        String want = System.getProperty(TimerQueueFactory.PROPERTY);
        ServiceLoader<TimerQueueFactory> sl =
                ServiceLoader.load(TimerQueueFactory.class, TimerQueueFactory.class.getClassLoader());
        if (want != null && !want.isEmpty()) {
            for (TimerQueueFactory f : sl) {
                if (f.name().equals(want)) {
                    return f;
                }
            }
            throw new IllegalStateException("no TimerQueueFactory named '" + want + "' (-D" + TimerQueueFactory.PROPERTY
                    + "); is jgo-timer on the class path?");
        }
        return sl.stream()
                .map(ServiceLoader.Provider::get)
                .max(Comparator.comparingInt(TimerQueueFactory::priority))
                .orElse(null);
    }

    /** Gives new Ps their timer queues (procresize). Concurrency: before they run. */
    static void pinit(Sched s, P[] ps) {
        if (s.timerFactory == null) {
            return;
        }
        TimerQueue.Host host = new TimerQueue.Host() {
            @Override
            public void wakeNetPoller(long when) {
                Timers.wakeNetPoller(s, when);
            }

            @Override
            public boolean closed() {
                return s.stopping();
            }

            @Override
            public long nanotime() {
                return s.nanotime(); // virtual under virtualTime (Synctest "Virtual time", step 1)
            }
        };
        for (P pp : ps) {
            pp.timers = s.timerFactory.create(pp.id, host);
            pp.local[Carrier.PLOCAL_TIMER] = pp.timers;
        }
    }

    /**
     * Port of runtime.moveTimers (from (*p).destroy): {@code from}'s timers go to {@code into}.
     *
     * <p>Concurrency: procresize, requires sched.lock, the world stopped.
     */
    static void moveTimers(Sched s, P from, P into) {
        if (from.timers == null || into.timers == null) {
            return;
        }
        from.timers.moveTimersTo(into.timers);
        setMask(s, into.id, true);
    }

    /** Concurrency: requires sched.lock (the only writers of the mask). */
    private static void setMask(Sched s, int pid, boolean on) {
        assert s.lock.isHeld();
        s.allP.setTimerp(pid, on);
    }

    /** Port of runtime.updateTimerPMask (from pidleput). Concurrency: requires sched.lock. */
    static void updateTimerPMask(Sched s, P pp) {
        if (pp.timers == null || pp.timers.nobarrierWakeTime() == 0) {
            setMask(s, pp.id, false);
        }
    }

    /** pidleget sets the bit: a running P may add timers. Concurrency: requires sched.lock. */
    static void setTimerP(Sched s, P pp) {
        setMask(s, pp.id, true);
    }

    /** Port of runtime.checkTimers for the owner: runs pp's due timers. Concurrency: owner of pp. */
    static void checkTimers(Sched s, P pp) {
        TimerQueue q = pp.timers;
        if (q != null && q.nobarrierWakeTime() != 0 && !s.stopping()) {
            q.checkTimers(0, true);
        }
    }

    /**
     * checkTimers for the owner when one of pp's timers is due now: true if it ran timers (their
     * goroutines are on pp's queue). Cheaper than {@link #checkTimers} when none is due (no
     * clean-up of deleted timers). Concurrency: owner of pp.
     */
    static boolean checkTimersDue(Sched s, P pp) {
        TimerQueue q = pp.timers;
        if (q == null || s.stopping()) {
            return false;
        }
        if (!ownDue(pp)) {
            return false;
        }
        q.checkTimers(0, true);
        return true;
    }

    /** Whether one of pp's timers is due now. Concurrency: owner of pp, racy. */
    static boolean ownDue(P pp) {
        TimerQueue q = pp.timers;
        long w = q == null ? 0 : q.nobarrierWakeTime();
        return w != 0 && w <= TimerQueue.nanotime();
    }

    /**
     * Runs p2's due timers from a stealing M (step 1). Their goroutines go to the stealer's P.
     * {@code all} is the snapshot p2 was taken from (AllP: masks only with their own Ps).
     *
     * <p>Concurrency: an M holding a P other than p2.
     */
    static void stealTimers(Sched s, AllP all, P p2) {
        TimerQueue q = p2.timers;
        if (q != null && all.timerp(p2.id) && q.nobarrierWakeTime() != 0 && !s.stopping()) {
            q.checkTimers(0, false);
        }
    }

    /**
     * Runs the due timers of every P in {@code timerpMask}, for an M that woke at the deadline
     * {@link #wakeTime} gave it and took {@code pp}: pp's own as the owner, the others' as {@link
     * #stealTimers} does; their goroutines go to pp.
     *
     * <p>Concurrency: an M holding pp.
     */
    static void stealDueTimers(Sched s, P pp) {
        if (s.timerFactory == null) {
            return;
        }
        checkTimers(s, pp);
        AllP all = s.allP; // one snapshot: the mask of these Ps (AllP)
        for (P p2 : all.ps) {
            if (p2 != pp) {
                stealTimers(s, all, p2);
            }
        }
    }

    /**
     * Port of runtime.checkTimersNoP: the earliest time a timer of any masked P may need to run,
     * 0 if none (step 3).
     *
     * <p>Concurrency: any M, holding no P.
     */
    static long wakeTime(Sched s) {
        if (s.timerFactory == null || s.stopping()) {
            return 0;
        }
        long pollUntil = 0;
        AllP all = s.allP; // one snapshot: the mask of these Ps (AllP)
        for (P p2 : all.ps) {
            if (all.timerp(p2.id)) {
                long w = p2.timers.nobarrierWakeTime();
                if (w != 0 && (pollUntil == 0 || w < pollUntil)) {
                    pollUntil = w;
                }
            }
        }
        return pollUntil;
    }

    /**
     * Port of runtime.wakeNetPoller (step 4).
     *
     * <p>Concurrency: any thread.
     */
    static void wakeNetPoller(Sched s, long when) {
        M w = s.timerWaiter; // volatile read; pollUntil is written before it
        if (w != null) {
            long pu = s.pollUntil;
            if (pu == 0 || pu > when) {
                w.kickTimer();
            }
            return;
        }
        Ms.wakep(s);
    }

    /**
     * After handoffp put {@code pp} on the idle list, or procresize moved removed Ps' timers to
     * it: if it has timers, wake the timer waiter or start an M so that someone parks until them
     * (Go: the {@code wakeNetPoller} at the end of handoffp). Without it, a P handed off by {@code
     * Go.blocking} while every other M sleeps with no deadline would keep its timers until
     * something else woke an M.
     *
     * <p>Concurrency: any thread, without sched.lock.
     */
    static void afterHandoff(Sched s, P pp) {
        TimerQueue q = pp.timers;
        long when = q != null ? q.nobarrierWakeTime() : 0;
        if (when != 0) {
            wakeNetPoller(s, when);
        }
    }

    /**
     * Records {@code mp} as the M waiting for timers if none waits for an earlier time.
     *
     * <p>Concurrency: requires sched.lock.
     */
    static boolean setWaiter(Sched s, M mp, long deadline) {
        assert s.lock.isHeld();
        if (s.timerWaiter == null || s.pollUntil == 0 || deadline < s.pollUntil) {
            s.pollUntil = deadline;
            s.timerWaiter = mp;
            return true;
        }
        return false;
    }

    /** Concurrency: requires sched.lock. */
    static void clearWaiter(Sched s, M mp) {
        assert s.lock.isHeld();
        if (s.timerWaiter == mp) {
            s.timerWaiter = null;
            s.pollUntil = 0;
        }
    }

    /** Whether any P has a timer that can still fire (step 5). Concurrency: requires sched.lock. */
    static boolean pending(Sched s) {
        if (s.timerFactory == null) {
            return false;
        }
        for (P pp : s.allp) {
            if (pp.timers.liveTimers() > 0) {
                return true;
            }
        }
        return false;
    }
}
