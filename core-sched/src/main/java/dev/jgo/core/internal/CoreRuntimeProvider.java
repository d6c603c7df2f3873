package dev.jgo.core.internal;

import dev.jgo.GoRuntime;
import dev.jgo.spi.RuntimeConfig;
import dev.jgo.spi.RuntimeProvider;

/** The core scheduler's {@link RuntimeProvider}, registered for {@link java.util.ServiceLoader}. */
public final class CoreRuntimeProvider implements RuntimeProvider {
    @Override
    public GoRuntime create(RuntimeConfig config) {
        if (config.timerFactory() != null) {
            return ScopedValue.where(Timers.CONFIGURED, config.timerFactory()).call(() -> new CoreRuntime(config));
        }
        return new CoreRuntime(config);
    }
}
