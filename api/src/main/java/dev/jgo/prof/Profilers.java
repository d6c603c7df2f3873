package dev.jgo.prof;

import dev.jgo.spi.ProfilerProvider;
import java.util.Comparator;
import java.util.ServiceLoader;

/** Finds the {@link ProfilerProvider} once, on first use. */
final class Profilers {
    private Profilers() {}

    private static final class Holder {
        static final ProfilerProvider PROVIDER =
                ServiceLoader.load(ProfilerProvider.class, Profilers.class.getClassLoader()).stream()
                        .map(ServiceLoader.Provider::get)
                        .max(Comparator.comparingInt(ProfilerProvider::priority))
                        .orElse(null);
    }

    /**
     * The provider.
     *
     * @throws IllegalStateException if none is on the class path
     */
    static ProfilerProvider get() {
        ProfilerProvider p = Holder.PROVIDER;
        if (p == null) {
            throw new IllegalStateException(
                    "no dev.jgo.spi.ProfilerProvider found: put jgo-profiler (the profiler-module) on the class path");
        }
        return p;
    }
}
