package dev.jgo.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * What the guarded policies share ({@link GuardedStealPolicy}, {@link GuardedSpinPolicy},
 * {@link GuardedFairnessPolicy}): the wrapped policy, the fallback that decides once it failed,
 * and the switch between them, under the protocol of {@link PolicyGuard}'s note "Policies that
 * fail".
 *
 * <p>Concurrency: any thread.
 */
abstract class GuardedPolicy<T> {
    private static final VarHandle TARGET;

    static {
        try {
            TARGET = MethodHandles.lookup().findVarHandle(GuardedPolicy.class, "target", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The policy from outside jgo. */
    final T policy;

    private final T fallback;
    private final String fallbackName;
    private final PolicyGuard guard;
    /** The policy or, once it failed, the fallback; opaque: the switch publishes no data. */
    @SuppressWarnings("unused") // accessed through TARGET
    private Object target;

    GuardedPolicy(String kind, T policy, T fallback, String fallbackName, Consumer<String> reporter) {
        this.policy = policy;
        this.fallback = fallback;
        this.guard = new PolicyGuard(kind, policy, reporter);
        this.target = policy;
        this.fallbackName = fallbackName;
    }

    T policy() {
        return policy;
    }

    boolean quarantined() {
        return targetOpaque() != policy;
    }

    boolean reported() {
        return guard.reported();
    }

    @SuppressWarnings("unchecked")
    final T targetOpaque() {
        return (T) TARGET.getOpaque(this); // opaque: no data hangs on the switch
    }

    /** Switches to the fallback and reports the failure once. */
    final void fail(String method, Object cause) {
        TARGET.setOpaque(this, fallback); // opaque: idempotent, every failing M writes the same value
        guard.failed(method, cause, fallbackName);
    }

    /**
     * The policy threw from {@code method}: a fatal error propagates, anything else quarantines
     * the policy. Every guarded method has the same shape: call the policy while it is the
     * target, check the answer against the interface's contract ({@link #fail} if it breaks it),
     * call this from the catch, and otherwise ask {@link #targetOpaque()} again, which after a
     * failure on this thread is the fallback (a thread reads its own opaque write).
     */
    final void failed(String method, Throwable t) {
        PolicyGuard.rethrowFatal(t);
        fail(method, t);
    }

    /** The wrapped policy's {@code name()}. */
    abstract String nameOf(T p);

    /** The policy's name; a policy whose {@code name()} throws is quarantined. */
    public String name() {
        try {
            return nameOf(policy);
        } catch (Throwable t) {
            failed("name", t);
            return fallbackName;
        }
    }

    @Override
    public String toString() {
        return "Guarded[" + policy + (quarantined() ? ", quarantined" : "") + "]";
    }
}
