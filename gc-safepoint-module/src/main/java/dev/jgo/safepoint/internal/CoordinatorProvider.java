package dev.jgo.safepoint.internal;

import dev.jgo.spi.ProcControl;
import dev.jgo.spi.SafepointCoordinator;

/**
 * jgo-safepoint's entry: found with {@link java.util.ServiceLoader} on the class path; inside a
 * framework its Declarative Services component ({@code OSGI-INF/dev.jgo.safepoint.xml}) installs
 * it while the bundle is active.
 */
public final class CoordinatorProvider implements SafepointCoordinator.Provider {

    /** DS activation: runtimes built from now on use this provider. */
    public void activate() {
        SafepointCoordinator.Provider.install(this);
    }

    /** DS deactivation (bundle stop); coordinators already made keep working. */
    public void deactivate() {
        SafepointCoordinator.Provider.uninstall(this);
    }

    @Override
    public SafepointCoordinator create(ProcControl control) {
        return new Coordinator(control);
    }
}
