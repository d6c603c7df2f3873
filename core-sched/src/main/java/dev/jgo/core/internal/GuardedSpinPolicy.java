package dev.jgo.core.internal;

import dev.jgo.spi.SpinPolicy;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link SpinPolicy} from outside jgo, called under the protocol of {@link PolicyGuard}'s note
 * "Policies that fail" (each method has the shape of {@link GuardedPolicy#failed}).
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
    String nameOf(SpinPolicy p) {
        return p.name();
    }

    @Override
    public boolean maySpin(int nmspinning, int gomaxprocs, int npidle) {
        SpinPolicy t = targetOpaque();
        if (t == policy) {
            try {
                return t.maySpin(nmspinning, gomaxprocs, npidle);
            } catch (Throwable e) {
                failed("maySpin", e);
            }
        }
        return targetOpaque().maySpin(nmspinning, gomaxprocs, npidle);
    }

    @Override
    public long idleSpinNanos() {
        SpinPolicy t = targetOpaque();
        if (t == policy) {
            try {
                long ns = t.idleSpinNanos();
                if (ns >= 0 && ns <= MAX_IDLE_SPIN_NANOS) {
                    return ns;
                }
                fail("idleSpinNanos", ns + ", outside [0, " + MAX_IDLE_SPIN_NANOS + "]");
            } catch (Throwable e) {
                failed("idleSpinNanos", e);
            }
        }
        return targetOpaque().idleSpinNanos();
    }
}
