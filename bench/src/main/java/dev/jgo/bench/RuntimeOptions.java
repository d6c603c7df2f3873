package dev.jgo.bench;

import dev.jgo.GoRuntime;
import dev.jgo.spi.Policies;
import dev.jgo.spi.TimerQueueFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.StringJoiner;

/**
 * The runtime settings of every command that creates a jgo runtime ({@code bench}, {@code
 * compare}, {@code serve}): {@code --policy KIND=NAME} (repeatable) and {@code
 * --schedtrace[=MS]}, parsed by {@link Args.RuntimeArgs}. {@code --procs} stays with each command,
 * whose meaning of it differs (one value, a list).
 *
 * @param policies the name chosen per kind, only the kinds given, in {@link #KINDS} terms
 * @param schedtraceMillis Go's schedtrace period in milliseconds, 0 for none
 */
public record RuntimeOptions(Map<String, String> policies, long schedtraceMillis) {

    /** The kinds {@code --policy} sets: the three policies of {@link Policies} and the timer structure. */
    public static final List<String> KINDS = List.of("steal", "spin", "fair", "timers");

    /** The period of a bare {@code --schedtrace}. */
    public static final long DEFAULT_SCHEDTRACE_MS = 1000;

    /** The system property the core reads its debug settings from when a runtime is built. */
    static final String DEBUG_PROPERTY = "jgo.debug";

    public RuntimeOptions {
        policies = Map.copyOf(policies);
        if (schedtraceMillis < 0) {
            throw new IllegalArgumentException("schedtraceMillis must be >= 0, got " + schedtraceMillis);
        }
    }

    /** No policy chosen (Go's defaults, the highest-priority timer structure), no schedtrace. */
    public static RuntimeOptions defaults() {
        return new RuntimeOptions(Map.of(), 0);
    }

    /** The names {@code kind} accepts, for messages and the usage. */
    public static List<String> names(String kind) {
        return switch (kind) {
            case "steal" -> Policies.STEAL;
            case "spin" -> Policies.SPIN;
            case "fair" -> Policies.FAIR;
            case "timers" -> timerNames();
            default -> throw new IllegalArgumentException("unknown kind '" + kind + "'");
        };
    }

    /** The timer structures on the class path ({@link TimerQueueFactory#name()}), highest priority first. */
    public static List<String> timerNames() {
        List<TimerQueueFactory> fs = new ArrayList<>();
        ServiceLoader.load(TimerQueueFactory.class, TimerQueueFactory.class.getClassLoader())
                .forEach(fs::add);
        fs.sort((a, b) -> Integer.compare(b.priority(), a.priority()));
        return fs.stream().map(TimerQueueFactory::name).toList();
    }

    /** The timer factory called {@code name}. */
    static TimerQueueFactory timerFactory(String name) {
        for (TimerQueueFactory f :
                ServiceLoader.load(TimerQueueFactory.class, TimerQueueFactory.class.getClassLoader())) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        List<String> known = timerNames();
        throw new IllegalArgumentException("unknown timers '" + name + "' (known: "
                + (known.isEmpty() ? "none, jgo-timer is not on the class path" : String.join(", ", known)) + ")");
    }

    /**
     * Checks that {@code name} is a {@code kind}.
     *
     * @throws IllegalArgumentException naming the known names, if it is not one
     */
    static void check(String kind, String name) {
        switch (kind) {
            case "steal" -> Policies.steal(name);
            case "spin" -> Policies.spin(name);
            case "fair" -> Policies.fairness(name);
            case "timers" -> timerFactory(name);
            default -> throw new IllegalArgumentException("unknown kind '" + kind + "'");
        }
    }

    /** {@code steal=linear timers=wheel}, or {@code defaults}. */
    public String label() {
        if (policies.isEmpty()) {
            return "defaults";
        }
        StringJoiner j = new StringJoiner(" ");
        for (String k : KINDS) {
            String v = policies.get(k);
            if (v != null) {
                j.add(k + "=" + v);
            }
        }
        return j.toString();
    }

    /**
     * Builds a runtime from {@code b} with the chosen policies (a fresh instance of each: {@code
     * steal=sticky} keeps state) and, with {@code --schedtrace}, the schedtrace line on stderr.
     * The core reads {@value #DEBUG_PROPERTY} while building, so the property is set around {@code
     * build()} and restored after.
     */
    public GoRuntime build(GoRuntime.Builder b) {
        policies.forEach((kind, name) -> {
            switch (kind) {
                case "steal" -> b.stealPolicy(Policies.steal(name));
                case "spin" -> b.spinPolicy(Policies.spin(name));
                case "fair" -> b.fairnessPolicy(Policies.fairness(name));
                case "timers" -> b.timerQueueFactory(timerFactory(name));
                default -> throw new AssertionError(kind);
            }
        });
        if (schedtraceMillis == 0) {
            return b.build();
        }
        synchronized (RuntimeOptions.class) {
            String before = System.getProperty(DEBUG_PROPERTY);
            System.setProperty(DEBUG_PROPERTY, "schedtrace=" + schedtraceMillis);
            try {
                return b.build();
            } finally {
                if (before == null) {
                    System.clearProperty(DEBUG_PROPERTY);
                } else {
                    System.setProperty(DEBUG_PROPERTY, before);
                }
            }
        }
    }

    /** The usage text of the options, one per line, indented by two spaces. */
    public static String usage() {
        List<String> timers = timerNames();
        return """
                  --policy KIND=NAME         a policy of every jgo runtime (repeatable, one per kind)
                                             steal:  %s
                                             spin:   %s
                                             fair:   %s
                                             timers: %s
                  --schedtrace[=MS]          print Go's schedtrace line to stderr every MS ms
                                             (default %d)
                """.formatted(
                        String.join(", ", Policies.STEAL),
                        String.join(", ", Policies.SPIN),
                        String.join(", ", Policies.FAIR),
                        timers.isEmpty() ? "(none: jgo-timer is not on the class path)" : String.join(", ", timers),
                        DEFAULT_SCHEDTRACE_MS);
    }
}
