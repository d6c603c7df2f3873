package dev.jgo.core.internal;

import dev.jgo.spi.StealPolicy;
import java.util.function.Consumer;

/**
 * A {@link StealPolicy} from outside jgo, called under the protocol of {@link PolicyGuard}'s note
 * "Policies that fail": an exception or a result outside the interface's contract quarantines it
 * and Go's policy decides instead.
 *
 * <p>Concurrency: any thread (called by spinning Ms).
 */
final class GuardedStealPolicy extends GuardedPolicy<StealPolicy> implements StealPolicy {
    /** Most rounds accepted; more would keep a spinning M from parking. */
    static final int MAX_ROUNDS = 64;

    private static final StealPolicy FALLBACK = StealPolicy.go();

    GuardedStealPolicy(StealPolicy policy, Consumer<String> reporter) {
        super("steal", policy, FALLBACK, FALLBACK.name(), reporter);
    }

    @Override
    public String name() {
        try {
            return policy.name();
        } catch (Throwable t) {
            PolicyGuard.rethrowFatal(t);
            fail("name", t);
            return FALLBACK.name();
        }
    }

    @Override
    public int rounds() {
        StealPolicy t = targetOpaque();
        if (t != policy) {
            return t.rounds();
        }
        try {
            int r = t.rounds();
            if (r >= 1 && r <= MAX_ROUNDS) {
                return r;
            }
            fail("rounds", r + ", outside [1, " + MAX_ROUNDS + "]");
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("rounds", e);
        }
        return FALLBACK.rounds();
    }

    @Override
    public int firstVictim(int thief, int nprocs, int random) {
        StealPolicy t = targetOpaque();
        if (t != policy) {
            return t.firstVictim(thief, nprocs, random);
        }
        try {
            int v = t.firstVictim(thief, nprocs, random);
            if (v >= 0 && v < nprocs) {
                return v;
            }
            fail("firstVictim", v + ", outside [0, " + nprocs + ")");
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("firstVictim", e);
        }
        return FALLBACK.firstVictim(thief, nprocs, random);
    }

    @Override
    public int stride(int nprocs, int random) {
        StealPolicy t = targetOpaque();
        if (t != policy) {
            return t.stride(nprocs, random);
        }
        try {
            int s = t.stride(nprocs, random);
            if (s >= 1 && s < Math.max(2, nprocs)) {
                return s;
            }
            fail("stride", s + ", outside [1, " + nprocs + ")");
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("stride", e);
        }
        return FALLBACK.stride(nprocs, random);
    }

    @Override
    public boolean mayStealRunnext(int round, int rounds) {
        StealPolicy t = targetOpaque();
        if (t != policy) {
            return t.mayStealRunnext(round, rounds);
        }
        try {
            return t.mayStealRunnext(round, rounds);
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("mayStealRunnext", e);
        }
        return FALLBACK.mayStealRunnext(round, rounds);
    }

    @Override
    public long runnextBackoffNanos() {
        StealPolicy t = targetOpaque();
        if (t != policy) {
            return t.runnextBackoffNanos();
        }
        try {
            long b = t.runnextBackoffNanos();
            if (b >= 0) {
                return b;
            }
            fail("runnextBackoffNanos", b + ", negative");
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("runnextBackoffNanos", e);
        }
        return FALLBACK.runnextBackoffNanos();
    }

    @Override
    public long runnextMinAgeNanos() {
        StealPolicy t = targetOpaque();
        if (t != policy) {
            return t.runnextMinAgeNanos();
        }
        try {
            long a = t.runnextMinAgeNanos();
            if (a >= 0) {
                return a;
            }
            fail("runnextMinAgeNanos", a + ", negative");
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("runnextMinAgeNanos", e);
        }
        return FALLBACK.runnextMinAgeNanos();
    }

    @Override
    public void stolen(int thief, int victim, int count) {
        StealPolicy t = targetOpaque();
        if (t != policy) {
            t.stolen(thief, victim, count);
            return;
        }
        try {
            t.stolen(thief, victim, count);
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("stolen", e);
        }
    }

    @Override
    public String toString() {
        return "Guarded[" + policy + (quarantined() ? ", quarantined" : "") + "]";
    }
}
