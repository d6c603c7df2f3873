package dev.jgo.spi;

import dev.jgo.GoRuntime;

/**
 * Builds runtimes. Found with {@link java.util.ServiceLoader} by {@link GoRuntime#builder()}
 * (the implementation with the highest {@link #priority()} wins), bound by Guice, or registered
 * as an OSGi service.
 */
public interface RuntimeProvider {

    /** Creates and starts a runtime; its Ms start lazily as goroutines appear. */
    GoRuntime create(RuntimeConfig config);

    /** Higher wins when several providers are on the class path. */
    default int priority() {
        return 0;
    }
}
