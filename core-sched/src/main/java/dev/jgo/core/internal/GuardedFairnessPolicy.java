package dev.jgo.core.internal;

import dev.jgo.spi.FairnessPolicy;
import java.util.function.Consumer;

/**
 * A {@link FairnessPolicy} from outside jgo, called under the protocol of {@link PolicyGuard}'s
 * note "Policies that fail" (each method has the shape of {@link GuardedPolicy#failed}).
 *
 * <p>Concurrency: any thread (read on every schedule).
 */
final class GuardedFairnessPolicy extends GuardedPolicy<FairnessPolicy> implements FairnessPolicy {
    private static final FairnessPolicy FALLBACK = FairnessPolicy.go();

    GuardedFairnessPolicy(FairnessPolicy policy, Consumer<String> reporter) {
        super("fairness", policy, FALLBACK, FALLBACK.name(), reporter);
    }

    @Override
    String nameOf(FairnessPolicy p) {
        return p.name();
    }

    @Override
    public int globalQueueInterval() {
        FairnessPolicy t = targetOpaque();
        if (t == policy) {
            try {
                int n = t.globalQueueInterval();
                if (n >= 1) {
                    return n;
                }
                fail("globalQueueInterval", n + ", below 1");
            } catch (Throwable e) {
                failed("globalQueueInterval", e);
            }
        }
        return targetOpaque().globalQueueInterval();
    }

    @Override
    public boolean useRunnext() {
        FairnessPolicy t = targetOpaque();
        if (t == policy) {
            try {
                return t.useRunnext();
            } catch (Throwable e) {
                failed("useRunnext", e);
            }
        }
        return targetOpaque().useRunnext();
    }

    @Override
    public boolean runnextInheritsTimeSlice() {
        FairnessPolicy t = targetOpaque();
        if (t == policy) {
            try {
                return t.runnextInheritsTimeSlice();
            } catch (Throwable e) {
                failed("runnextInheritsTimeSlice", e);
            }
        }
        return targetOpaque().runnextInheritsTimeSlice();
    }

    @Override
    public long timeSliceNanos() {
        FairnessPolicy t = targetOpaque();
        if (t == policy) {
            try {
                long ns = t.timeSliceNanos();
                if (ns > 0) {
                    return ns;
                }
                fail("timeSliceNanos", ns + ", not positive");
            } catch (Throwable e) {
                failed("timeSliceNanos", e);
            }
        }
        return targetOpaque().timeSliceNanos();
    }

    @Override
    public int operationBudget() {
        FairnessPolicy t = targetOpaque();
        if (t == policy) {
            try {
                int b = t.operationBudget();
                if (b >= 0) {
                    return b;
                }
                fail("operationBudget", b + ", negative");
            } catch (Throwable e) {
                failed("operationBudget", e);
            }
        }
        return targetOpaque().operationBudget();
    }

    @Override
    public boolean yieldToGlobalQueue() {
        FairnessPolicy t = targetOpaque();
        if (t == policy) {
            try {
                return t.yieldToGlobalQueue();
            } catch (Throwable e) {
                failed("yieldToGlobalQueue", e);
            }
        }
        return targetOpaque().yieldToGlobalQueue();
    }
}
