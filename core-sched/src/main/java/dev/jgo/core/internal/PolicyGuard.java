package dev.jgo.core.internal;

import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.SpinPolicy;
import dev.jgo.spi.StealPolicy;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Guarding third-party policies.
 *
 * <h2>Policies that fail</h2>
 *
 * <p>Problem: policies are installed at run time by code the runtime does not control (an OSGi
 * bundle, a Guice override, a research harness) and are called on the scheduler's stealing,
 * spinning and schedule paths, by Ms that hold a P. A policy that throws there would unwind an M
 * out of its schedule loop and lose its P; one that returns an out-of-range victim or stride
 * would index outside {@code allp}.
 *
 * <p>Rejected: catching around every call site in {@code M} (spreads the concern over the hot
 * loop and across files owned by the scheduler); asking the policy again after a failure (a
 * policy that always throws would cost an exception on every steal and flood the log).
 *
 * <p>Protocol ({@link CoreRuntime}'s {@link dev.jgo.spi.PolicyControl} setters and its
 * constructor):
 *
 * <ol>
 *   <li>A policy that ships with jgo-api (class in {@code dev.jgo.spi}, defined by the API's class
 *       loader) is trusted and installed as it is: the default paths pay nothing.
 *   <li>Any other policy is wrapped in a guard ({@link GuardedStealPolicy}, {@link
 *       GuardedSpinPolicy}, {@link GuardedFairnessPolicy}) that calls it inside {@code try} and
 *       checks what it returns against the contract of the interface.
 *   <li>On the first exception or contract violation the guard quarantines the policy: from then
 *       on Go's default decides every call, including the failing one. The switch is one opaque
 *       write; Ms that still read the old target fail the same way and land on the default too.
 *   <li>The failure is reported exactly once per installation (a CAS on {@link #reported}) to the
 *       reporter, by default the {@link System.Logger} {@value #LOGGER} at {@code WARNING}.
 *   <li>{@code PolicyControl}'s getters return the installed policy, not the guard, so a caller
 *       sees what it installed; installing it again starts a fresh guard.
 * </ol>
 *
 * <p>No lock is held across any policy call.
 */
final class PolicyGuard {
    /** The logger failures go to: a System.Logger, so the core needs no logging library. */
    static final String LOGGER = "dev.jgo.core.policy";

    private static final Consumer<String> LOG = msg -> System.getLogger(LOGGER).log(Level.WARNING, msg);

    private final String kind;
    private final Object policy;
    private final Consumer<String> reporter;
    private final AtomicBoolean reported = new AtomicBoolean();

    PolicyGuard(String kind, Object policy, Consumer<String> reporter) {
        this.kind = kind;
        this.policy = policy;
        this.reporter = reporter;
    }

    /** Whether {@code p} ships with jgo-api and needs no guard. */
    static boolean trusted(Object p) {
        Class<?> c = p.getClass();
        return c.getClassLoader() == StealPolicy.class.getClassLoader()
                && c.getPackageName().equals(StealPolicy.class.getPackageName());
    }

    static StealPolicy guard(StealPolicy p) {
        return guard(p, LOG);
    }

    static SpinPolicy guard(SpinPolicy p) {
        return guard(p, LOG);
    }

    static FairnessPolicy guard(FairnessPolicy p) {
        return guard(p, LOG);
    }

    static StealPolicy guard(StealPolicy p, Consumer<String> reporter) {
        return p instanceof GuardedStealPolicy || trusted(p) ? p : new GuardedStealPolicy(p, reporter);
    }

    static SpinPolicy guard(SpinPolicy p, Consumer<String> reporter) {
        return p instanceof GuardedSpinPolicy || trusted(p) ? p : new GuardedSpinPolicy(p, reporter);
    }

    static FairnessPolicy guard(FairnessPolicy p, Consumer<String> reporter) {
        return p instanceof GuardedFairnessPolicy || trusted(p) ? p : new GuardedFairnessPolicy(p, reporter);
    }

    static StealPolicy unwrap(StealPolicy p) {
        return p instanceof GuardedStealPolicy g ? g.policy() : p;
    }

    static SpinPolicy unwrap(SpinPolicy p) {
        return p instanceof GuardedSpinPolicy g ? g.policy() : p;
    }

    static FairnessPolicy unwrap(FairnessPolicy p) {
        return p instanceof GuardedFairnessPolicy g ? g.policy() : p;
    }

    /** Rethrows what no policy failure may hide (the JVM is in trouble). */
    static void rethrowFatal(Throwable t) {
        if (t instanceof VirtualMachineError e) {
            throw e;
        }
    }

    /**
     * Reports the first failure of the guarded policy; later ones are dropped.
     *
     * <p>Concurrency: any thread.
     */
    void failed(String method, Object cause, String fallback) {
        if (!reported.compareAndSet(false, true)) { // CAS: exactly one reporter wins
            return;
        }
        String what = cause instanceof Throwable t ? "threw " + describe(t) : "returned " + cause;
        String msg = kind + " policy " + policy.getClass().getName() + "." + method + " " + what + "; Go's default '"
                + fallback + "' decides in its place from now on";
        try {
            reporter.accept(msg);
        } catch (RuntimeException e) {
            // A broken reporter must not break the scheduler either.
        }
    }

    boolean reported() {
        return reported.get();
    }

    private static String describe(Throwable t) {
        java.io.StringWriter sw = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(sw));
        return sw.toString().stripTrailing();
    }
}
