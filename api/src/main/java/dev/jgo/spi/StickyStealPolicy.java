package dev.jgo.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Steal order "sticky last victim": a thief starts each steal attempt at the P it last stole from
 * successfully, then goes on with Go's coprime stride; a thief with no successful steal yet starts
 * at a random P as Go does. {@code runnext} is stolen as Go does (last round, after 3 µs).
 *
 * <p>The policy learns which steal succeeded from {@link StealPolicy#stolen}, which the scheduler
 * calls after every successful steal.
 *
 * <p>State: one slot per thief P id below {@link #MAX_THIEVES} (larger ids are never sticky),
 * holding {@code victim + 1} (0: none yet). Only the M holding the thief P writes and reads its
 * slot; opaque accesses suffice because the slot publishes no other data and a stale value only
 * changes where the search starts. No allocation after construction.
 *
 * <p>Concurrency: any thread.
 */
final class StickyStealPolicy implements StealPolicy {
    /** Thief P ids with a slot; GOMAXPROCS above this only loses stickiness for the extra Ps. */
    static final int MAX_THIEVES = 1024;

    private static final VarHandle LAST = MethodHandles.arrayElementVarHandle(int[].class);

    private final int[] last = new int[MAX_THIEVES];
    private final StealPolicies.Coprimes coprimes = new StealPolicies.Coprimes();

    @Override
    public String name() {
        return "sticky";
    }

    @Override
    public int rounds() {
        return 4;
    }

    @Override
    public int firstVictim(int thief, int nprocs, int random) {
        if (thief >= 0 && thief < MAX_THIEVES) {
            int v = (int) LAST.getOpaque(last, thief) - 1; // opaque: a hint, publishes no data
            if (v >= 0 && v < nprocs && v != thief) {
                return v;
            }
        }
        return Integer.remainderUnsigned(random, nprocs);
    }

    @Override
    public int stride(int nprocs, int random) {
        return coprimes.pick(nprocs, random >>> 8);
    }

    @Override
    public boolean mayStealRunnext(int round, int rounds) {
        return round == rounds - 1;
    }

    @Override
    public long runnextBackoffNanos() {
        return 3_000;
    }

    @Override
    public long runnextMinAgeNanos() {
        return 0;
    }

    /** Records {@code victimPid} as the thief's next first victim. Concurrency: the thief's M. */
    @Override
    public void stolen(int thiefPid, int victimPid, int count) {
        if (thiefPid >= 0 && thiefPid < MAX_THIEVES && victimPid >= 0) {
            LAST.setOpaque(last, thiefPid, victimPid + 1); // opaque: see the class note
        }
    }

    /** The last successful victim of {@code thief}, or -1. For tests and reports. */
    int lastVictim(int thief) {
        return thief >= 0 && thief < MAX_THIEVES ? (int) LAST.getOpaque(last, thief) - 1 : -1;
    }

    @Override
    public String toString() {
        return "StealPolicy[sticky]";
    }
}
