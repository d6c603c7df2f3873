package dev.jgo.core.internal;

import dev.jgo.spi.SpinPolicy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link SpinPolicy} from outside jgo, called under the protocol of {@link PolicyGuard}'s note
 * "Policies that fail".
 *
 * <p>Concurrency: any thread (called by Ms looking for work).
 */
final class GuardedSpinPolicy implements SpinPolicy {
    /** Longest idle spin accepted: a spinning M that never parks would burn its CPU. */
    static final long MAX_IDLE_SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final SpinPolicy FALLBACK = SpinPolicy.go();
    private static final VarHandle TARGET;

    static {
        try {
            TARGET = MethodHandles.lookup().findVarHandle(GuardedSpinPolicy.class, "target", SpinPolicy.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SpinPolicy policy;
    private final PolicyGuard guard;
    /** The policy or, once it failed, {@link #FALLBACK}; opaque: the switch publishes no data. */
    @SuppressWarnings("unused") // accessed through TARGET
    private SpinPolicy target;

    GuardedSpinPolicy(SpinPolicy policy, Consumer<String> reporter) {
        this.policy = policy;
        this.guard = new PolicyGuard("spin", policy, reporter);
        this.target = policy;
    }

    SpinPolicy policy() {
        return policy;
    }

    boolean quarantined() {
        return targetOpaque() != policy;
    }

    boolean reported() {
        return guard.reported();
    }

    private SpinPolicy targetOpaque() {
        return (SpinPolicy) TARGET.getOpaque(this); // opaque: no data hangs on the switch
    }

    private void fail(String method, Object cause) {
        TARGET.setOpaque(this, FALLBACK); // opaque: idempotent, every failing M writes the same value
        guard.failed(method, cause, FALLBACK.name());
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
