package dev.jgo.core.internal;

import java.util.SplittableRandom;

/**
 * Reproducible schedules ({@code GoRuntime.Builder.seed}): where the random scheduling choices of
 * a seeded runtime come from.
 *
 * <h2>Design note: Seeded choices</h2>
 *
 * The problem: a racy test fails one run in a hundred, and the failing interleaving is gone by the
 * time anyone looks. With one P, what a goroutine sees depends only on the order in which the P
 * runs goroutines; that order is fixed by the program except where the scheduler chooses at random
 * or by the wall clock. Rejected: one source per M (which M holds the P after an idle spell is up
 * to the operating system, so the draws would be shuffled between Ms); one shared source (a
 * contended lock on every {@code Select}, and with several Ps the draws would interleave in
 * thread order anyway). Protocol:
 *
 * <ol>
 *   <li>Each P draws from its own {@link SplittableRandom}, seeded from the runtime's seed and the
 *       P's id, and used only by the P's owner: {@code Select}'s case order ({@link
 *       M#cheaprandn}), the steal victim order, and the shuffles of {@code randomizeScheduler}.
 *       A goroutine without a P (inside {@code Go.blocking}) draws from one runtime-wide source
 *       under its monitor.
 *   <li>No choice reads the wall clock: sysmon neither preempts at the end of a time slice nor
 *       for overdue timers, and the mutex's starvation clock stands still ({@code
 *       Scheduler.decisionNanotime}). The operation budget still forces yields, counted in
 *       operations; {@code Go.checkpoint()} spends it too, so a loop that only checkpoints
 *       yields after a fixed count instead of at the end of a time slice.
 *   <li>With {@code procs(1)} the same seed therefore gives the same interleaving, provided the
 *       program takes no input from outside (real-time timers, I/O, goroutines started from
 *       plain threads): use virtual time when it sleeps. With more Ps every choice still comes
 *       from the seed, but which M reaches a queue first is up to the operating system.
 * </ol>
 */
final class Seeded {
    private Seeded() {}

    /** Golden-ratio increment, as SplittableRandom's own. */
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /**
     * {@code pp}'s seeded source (note step 1), made on first use.
     *
     * <p>Concurrency: owner of {@code pp}; requires {@code s.seed != null}.
     */
    static SplittableRandom rand(Sched s, P pp) {
        assert s.seed != null;
        SplittableRandom r = pp.seededRand;
        if (r == null) {
            r = new SplittableRandom(s.seed + GOLDEN * (pp.id + 1L));
            pp.seededRand = r;
        }
        return r;
    }

    /** The source of a shuffle by {@code pp}'s owner: seeded if the runtime has a seed. */
    static SplittableRandom shuffleSource(Sched s, P pp) {
        return s.seed != null ? rand(s, pp) : new SplittableRandom();
    }

    /** The runtime-wide source for a goroutine without a P (note step 1), made on first use. */
    private static final java.util.WeakHashMap<Sched, SplittableRandom> NO_P = new java.util.WeakHashMap<>();

    /**
     * A random int in {@code [0, n)} for a goroutine of {@code s} holding no P.
     *
     * <p>Concurrency: any thread (synchronized).
     */
    static int noPDraw(Sched s, int n) {
        synchronized (NO_P) {
            return NO_P.computeIfAbsent(s, k -> new SplittableRandom(k.seed)).nextInt(n);
        }
    }
}
