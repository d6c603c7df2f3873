package dev.jgo.spi;

/**
 * Swaps scheduling policies in a running runtime (OSGi service dynamics, Guice overrides,
 * research harnesses). A runtime built by jgo-core implements it: cast the {@link
 * dev.jgo.GoRuntime} or look it up as a service.
 *
 * <p>The swap is a volatile write: Ms see the new policy at their next scheduling decision. No
 * lock is held across a policy call.
 */
public interface PolicyControl {

    StealPolicy stealPolicy();

    SpinPolicy spinPolicy();

    FairnessPolicy fairnessPolicy();

    /** Installs {@code p}; returns the previous policy. */
    StealPolicy stealPolicy(StealPolicy p);

    /** Installs {@code p}; returns the previous policy. */
    SpinPolicy spinPolicy(SpinPolicy p);

    /** Installs {@code p}; returns the previous policy. */
    FairnessPolicy fairnessPolicy(FairnessPolicy p);
}
