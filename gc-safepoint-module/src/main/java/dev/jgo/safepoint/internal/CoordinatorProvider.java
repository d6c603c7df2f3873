package dev.jgo.safepoint.internal;

import dev.jgo.spi.ProcControl;
import dev.jgo.spi.SafepointCoordinator;

/** The {@link java.util.ServiceLoader} entry of jgo-safepoint. */
public final class CoordinatorProvider implements SafepointCoordinator.Provider {

    @Override
    public SafepointCoordinator create(ProcControl control) {
        return new Coordinator(control);
    }
}
