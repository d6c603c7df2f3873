package dev.jgo.prof;

import dev.jgo.spi.ProfilerProvider;
import java.util.Comparator;
import java.util.ServiceLoader;

/**
 * The {@link ProfilerProvider}: the installed one (jgo-profiler's bundle inside a framework),
 * else the one found with {@link ServiceLoader} once, on first use.
 */
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
        ProfilerProvider installed = ProfilerProvider.installed(); // inside a framework
        if (installed != null) {
            return installed;
        }
        ProfilerProvider p = Holder.PROVIDER;
        if (p == null) {
            throw new IllegalStateException(
                    "no dev.jgo.spi.ProfilerProvider found: put jgo-profiler (the profiler-module) on the class path");
        }
        return p;
    }
}
