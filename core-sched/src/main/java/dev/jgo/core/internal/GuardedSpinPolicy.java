package dev.jgo.core.internal;

import dev.jgo.spi.SpinPolicy;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link SpinPolicy} from outside jgo, called under the protocol of {@link PolicyGuard}'s note
 * "Policies that fail".
 *
 * <p>Concurrency: any thread (called by Ms looking for work).
 */
final class GuardedSpinPolicy extends GuardedPolicy<SpinPolicy> implements SpinPolicy {
    /** Longest idle spin accepted: a spinning M that never parks would burn its CPU. */
    static final long MAX_IDLE_SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final SpinPolicy FALLBACK = SpinPolicy.go();

    GuardedSpinPolicy(SpinPolicy policy, Consumer<String> reporter) {
        super("spin", policy, FALLBACK, FALLBACK.name(), reporter);
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
    public boolean maySpin(int nmspinning, int gomaxprocs, int npidle) {
        SpinPolicy t = targetOpaque();
        if (t != policy) {
            return t.maySpin(nmspinning, gomaxprocs, npidle);
        }
        try {
            return t.maySpin(nmspinning, gomaxprocs, npidle);
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("maySpin", e);
        }
        return FALLBACK.maySpin(nmspinning, gomaxprocs, npidle);
    }

    @Override
    public long idleSpinNanos() {
        SpinPolicy t = targetOpaque();
        if (t != policy) {
            return t.idleSpinNanos();
        }
        try {
            long ns = t.idleSpinNanos();
            if (ns >= 0 && ns <= MAX_IDLE_SPIN_NANOS) {
                return ns;
            }
            fail("idleSpinNanos", ns + ", outside [0, " + MAX_IDLE_SPIN_NANOS + "]");
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("idleSpinNanos", e);
        }
        return FALLBACK.idleSpinNanos();
    }

    @Override
    public String toString() {
        return "Guarded[" + policy + (quarantined() ? ", quarantined" : "") + "]";
    }
}
