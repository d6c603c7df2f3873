package dev.jgo.osgi.internal;

import dev.jgo.GoRuntime;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.Policies;
import dev.jgo.spi.SpinPolicy;
import dev.jgo.spi.StealPolicy;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The runtime's settings from the component's configuration (Config Admin PID {@value #PID}, or
 * the component's defaults), falling back to framework properties {@code jgo.<key>}, then to the
 * built-in defaults.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>framework property</th><th>values</th><th>default</th></tr>
 *   <tr><td>procs</td><td>jgo.procs</td><td>integer &ge; 1</td><td>available processors</td></tr>
 *   <tr><td>name</td><td>jgo.name</td><td>thread-name prefix</td><td>jgo-osgi</td></tr>
 *   <tr><td>maxThreads</td><td>jgo.maxThreads</td><td>integer &gt; procs</td><td>10000</td></tr>
 *   <tr><td>stealPolicy</td><td>jgo.stealPolicy</td><td>{@link Policies#STEAL}: go, linear, sticky,
 *       tokio, kotlin</td><td>go</td></tr>
 *   <tr><td>spinPolicy</td><td>jgo.spinPolicy</td><td>{@link Policies#SPIN}: go, go-strict (or
 *       goStrict), one, none</td><td>go</td></tr>
 *   <tr><td>fairnessPolicy</td><td>jgo.fairnessPolicy</td><td>{@link Policies#FAIR}: go,
 *       nobudget</td><td>go</td></tr>
 *   <tr><td>randomizeScheduler</td><td>jgo.randomizeScheduler</td><td>true, false</td><td>false</td></tr>
 *   <tr><td>timers</td><td>jgo.timers</td><td>the {@code jgo.timers} property of a {@code
 *       TimerQueueFactory} service: heap, wheel</td><td>the highest-ranked service (heap)</td></tr>
 * </table>
 *
 * <p>The named policies are the defaults a registered policy service overrides and the fallback
 * when the last such service leaves.
 */
record RuntimeSettings(
        String name,
        int procs,
        int maxThreads,
        StealPolicy stealPolicy,
        SpinPolicy spinPolicy,
        FairnessPolicy fairnessPolicy,
        boolean randomize,
        String timers) {

    /** Config Admin PID of the runtime component. */
    static final String PID = "dev.jgo.runtime";

    /** Framework-property prefix. */
    static final String PREFIX = "jgo.";

    static RuntimeSettings from(Map<String, ?> config, Function<String, String> frameworkProperty) {
        Function<String, String> get = key -> {
            Object v = config.get(key);
            if (v != null) {
                return v.toString().trim();
            }
            String f = frameworkProperty.apply(PREFIX + key);
            return f == null ? null : f.trim();
        };
        int procs = intValue(get, "procs", dev.jgo.spi.RuntimeConfig.defaultProcs(), 1);
        int maxThreads = intValue(get, "maxThreads", Math.max(10_000, procs + 1), procs + 1);
        String name = get.apply("name");
        return new RuntimeSettings(
                name == null || name.isEmpty() ? "jgo-osgi" : name,
                procs,
                maxThreads,
                stealPolicy(get.apply("stealPolicy")),
                spinPolicy(get.apply("spinPolicy")),
                fairnessPolicy(get.apply("fairnessPolicy")),
                bool(get, "randomizeScheduler"),
                timers(get.apply("timers")));
    }

    /** The timer structure asked for, null for the best-ranked one. */
    static String timers(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        if (!s.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(
                    "invalid timers '" + s + "': valid values are the names of the timer services, heap, wheel");
        }
        return s;
    }

    static StealPolicy stealPolicy(String s) {
        if (s == null || s.isEmpty()) {
            return StealPolicy.go();
        }
        String n = s.toLowerCase(Locale.ROOT);
        if (!Policies.STEAL.contains(n)) {
            throw new IllegalArgumentException(
                    "unknown stealPolicy '" + s + "': valid values are " + String.join(", ", Policies.STEAL));
        }
        return Policies.steal(n);
    }

    static SpinPolicy spinPolicy(String s) {
        if (s == null || s.isEmpty()) {
            return SpinPolicy.go();
        }
        String n = s.equals("goStrict") ? "go-strict" : s;
        if (!Policies.SPIN.contains(n)) {
            throw new IllegalArgumentException("unknown spinPolicy '" + s + "': valid values are "
                    + String.join(", ", Policies.SPIN) + " (goStrict is go-strict)");
        }
        return Policies.spin(n);
    }

    static FairnessPolicy fairnessPolicy(String s) {
        if (s == null || s.isEmpty()) {
            return FairnessPolicy.go();
        }
        if (!Policies.FAIR.contains(s)) {
            throw new IllegalArgumentException(
                    "unknown fairnessPolicy '" + s + "': valid values are " + String.join(", ", Policies.FAIR));
        }
        return Policies.fairness(s);
    }

    private static int intValue(Function<String, String> get, String key, int dflt, int min) {
        String s = get.apply(key);
        if (s == null || s.isEmpty()) {
            return dflt;
        }
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "invalid " + key + " '" + s + "': valid values are integers >= " + min, e);
        }
        if (v < min) {
            throw new IllegalArgumentException("invalid " + key + " " + v + ": valid values are integers >= " + min);
        }
        return v;
    }

    private static boolean bool(Function<String, String> get, String key) {
        String s = get.apply(key);
        if (s == null || s.isEmpty()) {
            return false;
        }
        return switch (s) {
            case "true" -> true;
            case "false" -> false;
            default ->
                throw new IllegalArgumentException("invalid " + key + " '" + s + "': valid values are true, false");
        };
    }

    /** A builder with these settings and the given current policies. */
    GoRuntime.Builder builder(StealPolicy steal, SpinPolicy spin, FairnessPolicy fairness) {
        return GoRuntime.builder()
                .name(name)
                .procs(procs)
                .maxThreads(maxThreads)
                .stealPolicy(steal)
                .spinPolicy(spin)
                .fairnessPolicy(fairness)
                .randomizeScheduler(randomize);
    }
}
