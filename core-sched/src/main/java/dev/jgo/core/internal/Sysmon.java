package dev.jgo.core.internal;

import dev.jgo.spi.NetPoller;
import dev.jgo.spi.TimerQueue;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Port of runtime.sysmon: a thread without a P that watches the Ps. It retakes Ps blocked in a
 * system call ({@link M#blocking}), asks goroutines that ran past their time slice to yield,
 * prints schedtrace lines, and sleeps deeply when every P is idle.
 *
 * <h2>Design note: sysmon's sleep</h2>
 *
 * As in Go: the delay starts at 20 µs and, after 50 rounds in which nothing was retaken, doubles
 * each round up to 10 ms. When every P is idle sysmon parks until a P is acquired again: it sets
 * {@link #sleeping} (volatile), then re-checks {@code npidle}; {@link M#acquirep} decrements
 * {@code npidle} before it reads {@code sleeping}. Both sides write then read volatiles, so at
 * least one of them sees the other: sysmon does not sleep through work, and an idle runtime's
 * sysmon uses no CPU.
 *
 * <h2>Who touches what</h2>
 *
 * The {@code sysmontick} arrays are sysmon's own. It reads {@code P.schedtick}, {@code
 * P.syscalltick}, {@code P.m} and {@code M.curg} racily (stale values delay a decision by a round
 * at most, as in Go) and changes a P only by CAS of its status from SYSCALL.
 */
final class Sysmon extends Thread {
    static final long MIN_DELAY_NANOS = 20_000;
    static final long MAX_DELAY_NANOS = 10_000_000;
    /** A P in a syscall this long is retaken even when nothing else waits for it (Go: 10 ms). */
    static final long SYSCALL_RETAKE_NANOS = 10_000_000;

    private final Sched sched;
    /** schedtrace period in ms (0: off) and whether to print the detail lines. */
    private final long schedtraceMillis;

    private final boolean scheddetail;

    /** Whether sysmon is parked because every P is idle (Go: sched.sysmonwait). */
    volatile boolean sleeping;

    // ---- sysmon only (Go's p.sysmontick) ----
    private long[] schedtick = new long[0];
    private long[] schedwhen = new long[0];
    private long[] syscalltick = new long[0];
    private long[] syscallwhen = new long[0];
    /** When sysmon first saw P i's M blocked in goroutine code on the current schedtick, or 0. */
    private long[] blockedSince = new long[0];

    private long[] blockedTick = new long[0];
    long autoHandoffs;
    long retakes;
    long preemptions;
    long overdueTimerWakes;
    /** Long-run warnings, or null when off. Read by View for the counter. */
    final LongRunWatch longRuns;

    Sysmon(Sched sched, long schedtraceMillis, boolean scheddetail) {
        super(sched.threadGroup, sched.name + "-sysmon");
        this.sched = sched;
        this.schedtraceMillis = schedtraceMillis;
        this.scheddetail = scheddetail;
        this.longRuns = sched.longRunWarningNanos > 0 ? new LongRunWatch(sched, sched.longRunWarningNanos) : null;
        setDaemon(true);
    }

    /** Current sleep between rounds; read racily by {@link #nudge}. */
    private volatile long delay = MIN_DELAY_NANOS;
    /** Set by nudge: the next round starts again from the shortest delay. */
    private volatile boolean nudged;

    /**
     * Called when a goroutine enters a system call while others wait on its P: if sysmon sleeps
     * long between rounds (up to 10 ms once nothing needed retaking), cut the sleep short, so
     * the P is retaken within a couple of short ticks instead of up to two long ones.
     *
     * <p>Concurrency: any thread.
     */
    void nudge() {
        if (delay > 200_000 && !nudged) {
            nudged = true;
            LockSupport.unpark(this);
        }
    }

    /** Wakes a sleeping sysmon. Concurrency: any thread, after it made a P non-idle. */
    void wake() {
        if (sleeping) {
            LockSupport.unpark(this);
        }
    }

    /**
     * Sysmon's loop, guarded: an error in it (a policy, the network poll, a broken invariant)
     * does not end the thread silently and leave the runtime without retake, preemption and
     * hand-off; it ends the runtime through {@link Fatal#fail}, reported once with its cause,
     * and pending {@code run} calls fail with it.
     */
    @Override
    public void run() {
        try {
            loop();
        } catch (Throwable t) {
            Fatal.fail(sched, "sysmon", t);
        } finally {
            if (longRuns != null) {
                longRuns.withdrawAll(); // the pending count is global (LongRunWatch)
            }
        }
    }

    private void loop() {
        int idle = 0;
        long nextTrace = schedtraceMillis > 0 ? System.nanoTime() + schedtraceMillis * 1_000_000 : Long.MAX_VALUE;
        while (!sched.stopping()) {
            if (idle == 0) {
                delay = MIN_DELAY_NANOS;
            } else if (idle > 50) { // start doubling the sleep after 1ms...
                delay = Math.min(delay * 2, MAX_DELAY_NANOS);
            }
            LockSupport.parkNanos(this, delay);
            if (nudged) {
                nudged = false;
                idle = 0;
                delay = MIN_DELAY_NANOS;
            }
            long now = System.nanoTime();
            if (now >= nextTrace) {
                System.err.print(sched.rt.view().schedtrace(scheddetail));
                nextTrace = now + schedtraceMillis * 1_000_000;
            }
            if (sched.mstartPending) { // a carrier thread failed to start: retry (Ms.newm)
                Ms.retryStartm(sched); // at sysmon's pace: every 20 µs at first, backing off to 10 ms
            }
            // Invariant: sysmon does not sleep while a failed thread start awaits its retry.
            if (schedtraceMillis <= 0 && sched.npidle.get() == sched.gomaxprocs && !sched.mstartPending) {
                if (longRuns != null) {
                    longRuns.withdrawAll(); // no probe outlives the round (LongRunWatch)
                }
                sleeping = true; // volatile write, then the volatile re-read of npidle below
                while (sched.npidle.get() == sched.gomaxprocs && !sched.stopping() && !sched.mstartPending) {
                    LockSupport.park(this);
                }
                sleeping = false;
                idle = 0;
                continue;
            }
            // poll network if not polled for more than 10ms (Sched "network poller")
            NetPoller np = sched.netpoller();
            long lastpoll = sched.lastpoll.get();
            long nt = TimerQueue.nanotime();
            if (np != null
                    && lastpoll != 0
                    && lastpoll + NETPOLL_MAX_NANOS < nt
                    && sched.lastpoll.compareAndSet(lastpoll, nt)) {
                List<NetPoller.Wake> ws = Netpoll.netpoll(np, 0);
                if (ws != null && !ws.isEmpty()) {
                    Netpoll.injectNet(sched, ws, null);
                    idle = 0;
                }
            }
            if (sched.gcwaiting()) { // the world is stopped: nothing to retake (World)
                idle++;
                continue;
            }
            if (retake(now) != 0) {
                idle = 0;
            } else {
                idle++;
            }
            if (overdueTimers()) {
                idle = 0; // keep looking often while timers run late
            }
            if (longRuns != null) {
                longRuns.check(now);
            }
        }
    }

    /**
     * Port of runtime.retake: preempts goroutines that ran longer than the time slice and retakes
     * Ps that sat in a system call. Returns how many Ps were retaken.
     *
     * <p>Concurrency: sysmon only.
     */
    int retake(long now) {
        P[] allp = sched.allp;
        if (schedtick.length != allp.length) {
            schedtick = Arrays.copyOf(schedtick, allp.length);
            schedwhen = Arrays.copyOf(schedwhen, allp.length);
            syscalltick = Arrays.copyOf(syscalltick, allp.length);
            syscallwhen = Arrays.copyOf(syscallwhen, allp.length);
            blockedSince = Arrays.copyOf(blockedSince, allp.length);
            blockedTick = Arrays.copyOf(blockedTick, allp.length);
        }
        long autoNanos = sched.autoHandoffNanos;
        long slice = sched.fairness.timeSliceNanos();
        int n = 0;
        for (int i = 0; i < allp.length; i++) {
            P pp = allp[i];
            int s = pp.status();
            boolean sysretake = false;
            if (s == P.RUNNING || s == P.SYSCALL) {
                // Preempt G if it's running on the same schedtick for too long. This could be
                // from a single long-running goroutine or a sequence of goroutines run via
                // runnext, which share a single schedtick time slice.
                long t = pp.schedtick;
                if (schedtick[i] != t) {
                    schedtick[i] = t;
                    schedwhen[i] = now;
                } else if (schedwhen[i] + slice <= now) {
                    if (sched.seed == null) { // with a seed no choice reads the wall clock (Seeded)
                        preemptone(pp);
                    }
                    // In case of syscall, preemptone() doesn't work, because there is no M
                    // wired to P.
                    sysretake = true;
                }
            }
            if (s == P.RUNNING && autoNanos > 0 && autoHandoff(pp, i, now, autoNanos)) {
                n++;
                continue;
            }
            if (s == P.SYSCALL) {
                // Retake P from syscall if it's there for more than 1 sysmon tick (at least
                // 20us).
                long t = pp.syscalltick;
                if (!sysretake && syscalltick[i] != t) {
                    syscalltick[i] = t;
                    syscallwhen[i] = now;
                    continue;
                }
                // On the one hand we don't want to retake Ps if there is no other work to do,
                // but on the other hand we want to retake them eventually because they can
                // prevent the sysmon thread from deep sleep.
                if (pp.runq.runqempty()
                        && sched.nmspinning.get() + sched.npidle.get() > 0
                        && syscallwhen[i] + SYSCALL_RETAKE_NANOS > now) {
                    continue;
                }
                if (pp.tryCasstatus(P.SYSCALL, P.IDLE)) { // the CAS decides between us and exitsyscall
                    n++;
                    retakes++;
                    pp.syscalltick++;
                    Ms.handoffp(sched, pp);
                }
            }
        }
        return n;
    }

    /**
     * Automatic hand-off (see M "Automatic hand-off", step 3): a P whose M has been blocked in
     * goroutine code on the same schedtick for {@code threshold} is taken and handed off.
     *
     * <p>Concurrency: sysmon only.
     */
    private boolean autoHandoff(P pp, int i, long now, long threshold) {
        M mp = pp.m;
        if (mp == null || mp.curg == null || !mp.inUserCode() || !blockedState(mp.getState())) {
            blockedSince[i] = 0;
            return false;
        }
        long t = pp.schedtick;
        if (blockedSince[i] == 0 || blockedTick[i] != t) {
            blockedSince[i] = now;
            blockedTick[i] = t;
            return false;
        }
        if (now - blockedSince[i] < threshold || !mp.tryTakeP()) {
            return false;
        }
        // The CAS made sysmon the P's owner: detach it from the blocked M and hand it off.
        blockedSince[i] = 0;
        autoHandoffs++;
        pp.m = null;
        pp.casstatus(P.RUNNING, P.IDLE);
        Ms.handoffp(sched, pp);
        return true;
    }

    private static boolean blockedState(Thread.State st) {
        return st == Thread.State.BLOCKED || st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING;
    }

    /**
     * Timers that should already have run (Go's issue 38860: a busy P delays its timers): ask
     * the goroutine running on such a P to yield, so that its schedule runs them (beyond Go,
     * which waits for the time slice), and start a spinning M if a P is idle, whose last steal
     * round runs other Ps' due timers (as Go's sysmon does).
     *
     * <p>Concurrency: sysmon only.
     */
    private boolean overdueTimers() {
        if (sched.timerFactory == null || sched.seed != null) {
            return false; // with a seed no choice reads the wall clock (Seeded "Seeded choices")
        }
        long late = sched.nanotime() - MIN_DELAY_NANOS;
        boolean overdue = false;
        for (P pp : sched.allp) {
            TimerQueue q = pp.timers;
            long w = q != null ? q.nobarrierWakeTime() : 0;
            if (w != 0 && w < late) {
                overdue = true;
                if (pp.status() == P.RUNNING) {
                    preemptone(pp);
                }
            }
        }
        if (overdue && sched.npidle.get() > 0) {
            overdueTimerWakes++;
            Ms.wakep(sched);
        }
        return overdue;
    }

    /** Port of runtime.preemptone: asks the goroutine running on {@code pp} to yield. */
    /** Sysmon polls the network when nobody has for this long (Go: 10 ms). */
    static final long NETPOLL_MAX_NANOS = 10_000_000L;

    private void preemptone(P pp) {
        if (Sched.preemptone(pp, null)) {
            preemptions++;
        }
    }

    /**
     * Parses Go's GODEBUG-style settings {@code schedtrace=N} (ms) and {@code scheddetail=1} from,
     * in order, {@code -Djgo.debug=...}, the environment variable {@code JGO_DEBUG}, and Go's own
     * {@code GODEBUG}. The first two are jgo's and strict (an unknown key or a bad number throws);
     * {@code GODEBUG} is shared with other programs, so, as Go does, keys jgo does not know are
     * ignored there.
     *
     * @return {schedtraceMillis, scheddetail ? 1 : 0}
     */
    static long[] debugSettings() {
        String v = System.getProperty("jgo.debug");
        if (v == null) {
            v = System.getenv("JGO_DEBUG");
        }
        if (v != null) {
            return parseDebug(v, "jgo.debug", true);
        }
        return parseDebug(System.getenv("GODEBUG"), "GODEBUG", false);
    }

    /** Parses a {@code key=value,...} debug string; {@code strict} rejects unknown keys. */
    static long[] parseDebug(String v, String source, boolean strict) {
        long[] r = {0, 0};
        if (v == null || v.isBlank()) {
            return r;
        }
        for (String kv : v.split(",")) {
            String[] p = kv.trim().split("=", 2);
            String key = p[0].trim();
            int slot = switch (key) {
                case "schedtrace" -> 0;
                case "scheddetail" -> 1;
                default -> -1;
            };
            if (slot < 0 && !strict) {
                continue;
            }
            if (p.length != 2) {
                throw new IllegalArgumentException(source + ": expected key=value, got '" + kv + "' in '" + v + "'");
            }
            if (slot < 0) {
                throw new IllegalArgumentException(
                        source + ": unknown setting '" + key + "' (known: schedtrace, scheddetail)");
            }
            try {
                r[slot] = Long.parseLong(p[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ": " + key + " needs a number, got '" + p[1] + "'");
            }
        }
        return r;
    }
}
