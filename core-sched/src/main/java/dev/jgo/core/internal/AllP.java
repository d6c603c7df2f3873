package dev.jgo.core.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Go's {@code allp} together with {@code idlepMask} and {@code timerpMask}: the current Ps and
 * the two bit masks indexed by their ids, published by procresize as one immutable snapshot.
 *
 * <h2>Design note: one snapshot for allp and its masks</h2>
 *
 * The problem: stealers, Ms without a P (the last re-check and the timer wake time), sysmon and
 * timer callbacks read {@code allp} and the masks without sched.lock, while procresize replaces
 * all three. Published apart, a reader can pair the P array of one size with a mask of another
 * and index past its end (GOMAXPROCS 70 -> 60 shrinks the masks from two words to one), or read
 * a bit of the wrong generation. Go snapshots the three slices itself before it drops its P
 * ({@code allpSnapshot}, {@code idlepMaskSnapshot}, {@code timerpMaskSnapshot} in findRunnable)
 * and relies on never shrinking their backing arrays. Rejected here: masks that only grow (a
 * reader must still read the two fields in the right order, which nothing enforces). Chosen:
 *
 * <ol>
 *   <li>{@link Sched#allP} holds one {@code AllP}; procresize builds the next one (masks copied
 *       from the current one, bits of removed Ps cleared) and publishes it with one volatile
 *       write, under sched.lock with the world stopped.
 *   <li>A reader loads {@code sched.allP} once and indexes its masks only with ids of its own
 *       {@link #ps} (the invariant {@link #inRange} checks). An old snapshot is stale, never
 *       inconsistent: its bits stop changing, as in Go after a resize.
 *   <li>Mask writers hold sched.lock and write the current snapshot, so procresize's copy (also
 *       under the lock) loses no bit.
 * </ol>
 *
 * <p>Concurrency: immutable references; mask words are atomics (volatile reads, writes under
 * sched.lock).
 */
final class AllP {
    /** The Ps, by id: {@code ps[i].id == i}. */
    final P[] ps;
    /** Bit i set while P i is idle (Go's {@code idlepMask}); stealers skip idle Ps. */
    private final AtomicLongArray idle;
    /** Bit i set while P i may have timers (Go's {@code timerpMask}); see Timers. */
    private final AtomicLongArray timerp;

    private AllP(P[] ps, AtomicLongArray idle, AtomicLongArray timerp) {
        this.ps = ps;
        this.idle = idle;
        this.timerp = timerp;
    }

    /** No Ps (before procinit). */
    static final AllP EMPTY = new AllP(new P[0], new AtomicLongArray(0), new AtomicLongArray(0));

    /**
     * The snapshot for {@code ps}, keeping this one's bits of the Ps that stay.
     *
     * <p>Concurrency: procresize (requires sched.lock, the world stopped).
     */
    AllP resized(P[] ps) {
        int words = (ps.length + 63) / 64;
        return new AllP(ps, copy(idle, words, ps.length), copy(timerp, words, ps.length));
    }

    private static AtomicLongArray copy(AtomicLongArray m, int words, int nprocs) {
        AtomicLongArray r = new AtomicLongArray(words);
        for (int w = 0; w < words && w < m.length(); w++) {
            long keep = (w + 1) * 64 <= nprocs ? -1L : (1L << (nprocs - w * 64)) - 1;
            r.set(w, m.get(w) & keep);
        }
        return r;
    }

    /** Whether {@code pid} names a P of this snapshot (the masks' index invariant). */
    boolean inRange(int pid) {
        return pid >= 0 && pid < ps.length;
    }

    /** Concurrency: any thread (volatile read). */
    boolean idle(int pid) {
        assert inRange(pid) : "P" + pid + " outside allp of " + ps.length;
        return (idle.get(pid >>> 6) & (1L << pid)) != 0;
    }

    /** Concurrency: requires sched.lock (the only writers); read racily by stealers. */
    void setIdle(int pid, boolean on) {
        set(idle, pid, on);
    }

    /** Concurrency: any thread (volatile read). */
    boolean timerp(int pid) {
        assert inRange(pid) : "P" + pid + " outside allp of " + ps.length;
        return (timerp.get(pid >>> 6) & (1L << pid)) != 0;
    }

    /** Concurrency: requires sched.lock (the only writers); read racily by Ms and stealers. */
    void setTimerp(int pid, boolean on) {
        set(timerp, pid, on);
    }

    private void set(AtomicLongArray m, int pid, boolean on) {
        if (!inRange(pid)) {
            throw new IllegalStateException("P" + pid + " is not among the " + ps.length + " current Ps");
        }
        long bit = 1L << pid;
        long w = m.get(pid >>> 6);
        m.set(pid >>> 6, on ? w | bit : w & ~bit); // volatile write; the lock orders the writers
    }
}
