package dev.jgo.core.internal;

import dev.jgo.spi.Traceback;
import java.util.Arrays;
import java.util.List;

/**
 * Long-run warnings ({@code GoRuntime.Builder.longRunWarning}), beyond Go: sysmon reports a
 * goroutine that keeps its P longer than the threshold without reaching a preemption point.
 *
 * <h2>Design note: what restarts the clock</h2>
 *
 * Go's sysmon preempts a goroutine that stays on the same {@code schedtick} for a time slice;
 * a goroutine that never reaches a safe point is the case it cannot help with, and the one worth
 * a warning. jgo's preemption points are the runtime calls: every call that may yield enters the
 * runtime through {@link M#enterRuntime}, which counts it in {@link M#preemptPoints} (a plain
 * increment by the M, nothing more on the hot path). One exception: {@code Go.checkpoint()}
 * enters the runtime only while some preempt request is pending ({@code
 * Carrier.preemptPending()}, one count for the JVM), so a checkpoint that would not yield is not
 * seen. Hence a probe: sysmon raises that count itself for a while before it warns. Per P,
 * sysmon remembers (M, G, {@code schedtick}, {@code preemptPoints}) and when they last changed:
 *
 * <ol>
 *   <li>a change of any of them (the P ran another goroutine, moved to another M, or its
 *       goroutine reached a preemption point, {@code Go.checkpoint()} included, even without
 *       yielding) restarts the clock, withdraws a probe and re-arms the warning;
 *   <li>after half the threshold unchanged, sysmon probes: it adds one to the pending count, so
 *       that every {@code Go.checkpoint()} enters the runtime and is counted; none yields for it,
 *       as no goroutine's flag is set;
 *   <li>after the threshold unchanged, sysmon withdraws the probe and reports the goroutine
 *       once: System.Logger "dev.jgo" at WARNING with its id, name and current stack (its user
 *       frames, see {@link Traceback}), counted in {@link #warnings}.
 * </ol>
 *
 * So checkpoints at most half the threshold apart always restart the clock. While a probe lasts,
 * every goroutine's checkpoint costs a runtime entry; probes exist only while a goroutine hogs
 * its P, and all are withdrawn when sysmon ends ({@link #withdrawAll}), as the count is global.
 * Rejected: a counter in {@code Go.checkpoint()} itself (a carrier lookup on its fast path,
 * which reads no carrier state today). The reads are racy, as sysmon's others: a stale value
 * delays a warning by a round. A P in a system call ({@code Go.blocking}) is not running
 * goroutine code and is not reported.
 *
 * <p>Concurrency: sysmon only, except {@link #warnings} (read racily by the runtime's view).
 */
final class LongRunWatch {
    private static final System.Logger LOG = System.getLogger("dev.jgo");

    private final Sched sched;
    private final long thresholdNanos;

    // ---- sysmon only, per P id ----
    private M[] lastM = new M[0];
    private G[] lastG = new G[0];
    private long[] lastTick = new long[0];
    private int[] lastPoints = new int[0];
    private long[] since = new long[0];
    private boolean[] warned = new boolean[0];
    private boolean[] probing = new boolean[0];

    /** Warnings reported; written by sysmon only (volatile: read by other threads). */
    volatile long warnings;

    LongRunWatch(Sched sched, long thresholdNanos) {
        assert thresholdNanos > 0;
        this.sched = sched;
        this.thresholdNanos = thresholdNanos;
    }

    /** One sysmon round (see "what restarts the clock"). Concurrency: sysmon only. */
    void check(long now) {
        P[] allp = sched.allp;
        if (since.length != allp.length) {
            withdrawAll(); // procresize: other Ps from now on
            lastM = Arrays.copyOf(lastM, allp.length);
            lastG = Arrays.copyOf(lastG, allp.length);
            lastTick = Arrays.copyOf(lastTick, allp.length);
            lastPoints = Arrays.copyOf(lastPoints, allp.length);
            since = Arrays.copyOf(since, allp.length);
            warned = Arrays.copyOf(warned, allp.length);
            probing = Arrays.copyOf(probing, allp.length);
        }
        for (int i = 0; i < allp.length; i++) {
            P pp = allp[i];
            M mp = pp.m;
            G gp = mp != null ? mp.curg : null;
            if (pp.status() != P.RUNNING || gp == null) {
                withdraw(i);
                lastM[i] = null;
                lastG[i] = null;
                continue;
            }
            long tick = pp.schedtick;
            int points = mp.preemptPoints;
            if (lastM[i] != mp || lastG[i] != gp || lastTick[i] != tick || lastPoints[i] != points) { // step 1
                withdraw(i);
                lastM[i] = mp;
                lastG[i] = gp;
                lastTick[i] = tick;
                lastPoints[i] = points;
                since[i] = now;
                warned[i] = false;
                continue;
            }
            long ran = now - since[i];
            if (!warned[i] && !probing[i] && ran >= thresholdNanos / 2) { // step 2
                probing[i] = true;
                M.countPreempt(1);
            }
            if (!warned[i] && ran >= thresholdNanos) { // step 3
                withdraw(i);
                warned[i] = true;
                report(pp, mp, gp, ran);
            }
        }
    }

    /** Withdraws P {@code i}'s probe, if any. Concurrency: sysmon only. */
    private void withdraw(int i) {
        if (probing[i]) {
            probing[i] = false;
            M.countPreempt(-1);
        }
    }

    /** Withdraws every probe (see "what restarts the clock"). Concurrency: sysmon only. */
    void withdrawAll() {
        for (int i = 0; i < probing.length; i++) {
            withdraw(i);
        }
    }

    private void report(P pp, M mp, G gp, long ranNanos) {
        List<StackTraceElement> st = View.trimGoroutine(mp.getStackTrace());
        warnings++; // sysmon is the only writer
        StringBuilder sb = new StringBuilder("jgo: goroutine ")
                .append(gp.goid)
                .append(" (")
                .append(gp.name())
                .append(") has kept P ")
                .append(pp.id)
                .append(" for ")
                .append(ranNanos / 1_000_000)
                .append(" ms without reaching a preemption point (longRunWarning ")
                .append(thresholdNanos / 1_000_000)
                .append(" ms) in runtime '")
                .append(sched.name)
                .append("':\n");
        Traceback.frames(sb, st != null ? Traceback.userFrames(st) : List.of());
        LOG.log(System.Logger.Level.WARNING, sb.toString());
    }
}
