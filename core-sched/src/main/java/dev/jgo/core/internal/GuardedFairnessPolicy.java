package dev.jgo.core.internal;

import dev.jgo.spi.FairnessPolicy;
import java.util.function.Consumer;

/**
 * A {@link FairnessPolicy} from outside jgo, called under the protocol of {@link PolicyGuard}'s
 * note "Policies that fail".
 *
 * <p>Concurrency: any thread (read on every schedule).
 */
final class GuardedFairnessPolicy extends GuardedPolicy<FairnessPolicy> implements FairnessPolicy {
    private static final FairnessPolicy FALLBACK = FairnessPolicy.go();

    GuardedFairnessPolicy(FairnessPolicy policy, Consumer<String> reporter) {
        super("fairness", policy, FALLBACK, FALLBACK.name(), reporter);
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
    public int globalQueueInterval() {
        FairnessPolicy t = targetOpaque();
        if (t != policy) {
            return t.globalQueueInterval();
        }
        try {
            int n = t.globalQueueInterval();
            if (n >= 1) {
                return n;
            }
            fail("globalQueueInterval", n + ", below 1");
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("globalQueueInterval", e);
        }
        return FALLBACK.globalQueueInterval();
    }

    @Override
    public boolean useRunnext() {
        FairnessPolicy t = targetOpaque();
        if (t != policy) {
            return t.useRunnext();
        }
        try {
            return t.useRunnext();
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("useRunnext", e);
        }
        return FALLBACK.useRunnext();
    }

    @Override
    public boolean runnextInheritsTimeSlice() {
        FairnessPolicy t = targetOpaque();
        if (t != policy) {
            return t.runnextInheritsTimeSlice();
        }
        try {
            return t.runnextInheritsTimeSlice();
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("runnextInheritsTimeSlice", e);
        }
        return FALLBACK.runnextInheritsTimeSlice();
    }

    @Override
    public long timeSliceNanos() {
        FairnessPolicy t = targetOpaque();
        if (t != policy) {
            return t.timeSliceNanos();
        }
        try {
            long ns = t.timeSliceNanos();
            if (ns > 0) {
                return ns;
            }
            fail("timeSliceNanos", ns + ", not positive");
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("timeSliceNanos", e);
        }
        return FALLBACK.timeSliceNanos();
    }

    @Override
    public int operationBudget() {
        FairnessPolicy t = targetOpaque();
        if (t != policy) {
            return t.operationBudget();
        }
        try {
            int b = t.operationBudget();
            if (b >= 0) {
                return b;
            }
            fail("operationBudget", b + ", negative");
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("operationBudget", e);
        }
        return FALLBACK.operationBudget();
    }

    @Override
    public boolean yieldToGlobalQueue() {
        FairnessPolicy t = targetOpaque();
        if (t != policy) {
            return t.yieldToGlobalQueue();
        }
        try {
            return t.yieldToGlobalQueue();
        } catch (Throwable e) {
            PolicyGuard.rethrowFatal(e);
            fail("yieldToGlobalQueue", e);
        }
        return FALLBACK.yieldToGlobalQueue();
    }

    @Override
    public String toString() {
        return "Guarded[" + policy + (quarantined() ? ", quarantined" : "") + "]";
    }
}
