package dev.jgo.core.internal;

import dev.jgo.spi.StealPolicy;
import java.util.function.Consumer;

/**
 * A {@link StealPolicy} from outside jgo, called under the protocol of {@link PolicyGuard}'s note
 * "Policies that fail": an exception or a result outside the interface's contract quarantines it
 * and Go's policy decides instead (each method has the shape of {@link GuardedPolicy#failed}).
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
    String nameOf(StealPolicy p) {
        return p.name();
    }

    @Override
    public int rounds() {
        StealPolicy t = targetOpaque();
        if (t == policy) {
            try {
                int r = t.rounds();
                if (r >= 1 && r <= MAX_ROUNDS) {
                    return r;
                }
                fail("rounds", r + ", outside [1, " + MAX_ROUNDS + "]");
            } catch (Throwable e) {
                failed("rounds", e);
            }
        }
        return targetOpaque().rounds();
    }

    @Override
    public int firstVictim(int thief, int nprocs, int random) {
        StealPolicy t = targetOpaque();
        if (t == policy) {
            try {
                int v = t.firstVictim(thief, nprocs, random);
                if (v >= 0 && v < nprocs) {
                    return v;
                }
                fail("firstVictim", v + ", outside [0, " + nprocs + ")");
            } catch (Throwable e) {
                failed("firstVictim", e);
            }
        }
        return targetOpaque().firstVictim(thief, nprocs, random);
    }

    @Override
    public int stride(int nprocs, int random) {
        StealPolicy t = targetOpaque();
        if (t == policy) {
            try {
                int s = t.stride(nprocs, random);
                if (s >= 1 && s < Math.max(2, nprocs)) {
                    return s;
                }
                fail("stride", s + ", outside [1, " + nprocs + ")");
            } catch (Throwable e) {
                failed("stride", e);
            }
        }
        return targetOpaque().stride(nprocs, random);
    }

    @Override
    public boolean mayStealRunnext(int round, int rounds) {
        StealPolicy t = targetOpaque();
        if (t == policy) {
            try {
                return t.mayStealRunnext(round, rounds);
            } catch (Throwable e) {
                failed("mayStealRunnext", e);
            }
        }
        return targetOpaque().mayStealRunnext(round, rounds);
    }

    @Override
    public long runnextBackoffNanos() {
        StealPolicy t = targetOpaque();
        if (t == policy) {
            try {
                long b = t.runnextBackoffNanos();
                if (b >= 0) {
                    return b;
                }
                fail("runnextBackoffNanos", b + ", negative");
            } catch (Throwable e) {
                failed("runnextBackoffNanos", e);
            }
        }
        return targetOpaque().runnextBackoffNanos();
    }

    @Override
    public long runnextMinAgeNanos() {
        StealPolicy t = targetOpaque();
        if (t == policy) {
            try {
                long a = t.runnextMinAgeNanos();
                if (a >= 0) {
                    return a;
                }
                fail("runnextMinAgeNanos", a + ", negative");
            } catch (Throwable e) {
                failed("runnextMinAgeNanos", e);
            }
        }
        return targetOpaque().runnextMinAgeNanos();
    }

    @Override
    public void stolen(int thief, int victim, int count) {
        StealPolicy t = targetOpaque();
        if (t == policy) {
            try {
                t.stolen(thief, victim, count);
                return;
            } catch (Throwable e) {
                failed("stolen", e);
                return; // the fallback learns nothing from a steal already made
            }
        }
        t.stolen(thief, victim, count);
    }
}
