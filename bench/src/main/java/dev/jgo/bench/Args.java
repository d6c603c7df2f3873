package dev.jgo.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Command-line value parsing shared by the CLI's commands; bad input throws {@link UsageException}. */
public final class Args {
    private Args() {}

    /** A comma-separated list of non-empty names. */
    public static List<String> splitList(String option, String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split(",", -1)) {
            String t = s.strip();
            if (t.isEmpty()) {
                throw new UsageException("option " + option + ": empty name in '" + value + "'");
            }
            out.add(t);
        }
        return out;
    }

    /** An integer of at least {@code min} ({@code _} separators allowed). */
    public static int parseInt(String option, String value, int min) {
        return parseInt(option, value, min, Integer.MAX_VALUE);
    }

    /** An integer in {@code [min, max]} ({@code _} separators allowed). */
    public static int parseInt(String option, String value, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(value.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException("option " + option + " needs an integer, got '" + value + "'");
        }
        if (v < min || v > max) {
            throw new UsageException(
                    max == Integer.MAX_VALUE
                            ? "option " + option + " must be at least " + min + ", got " + v
                            : "option " + option + " must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    /** The most GOMAXPROCS a command line may ask for. */
    public static final int MAX_PROCS = 4096;

    /** A GOMAXPROCS value: an integer in [1, {@value #MAX_PROCS}]. */
    public static int parseProcs(String option, String value) {
        return parseInt(option, value, 1, MAX_PROCS);
    }

    /**
     * {@code --policy}'s {@code KIND=NAME}, checked against {@link RuntimeOptions#KINDS} and the
     * kind's names.
     *
     * @return the kind and the name
     */
    public static Map.Entry<String, String> parsePolicy(String value) {
        String v = value.strip();
        int eq = v.indexOf('=');
        if (eq <= 0 || eq == v.length() - 1) {
            throw new UsageException("option --policy: expected KIND=NAME, got '" + value + "' (kinds: "
                    + String.join(", ", RuntimeOptions.KINDS) + ")");
        }
        String kind = v.substring(0, eq).strip();
        String name = v.substring(eq + 1).strip();
        if (!RuntimeOptions.KINDS.contains(kind)) {
            throw new UsageException("option --policy: unknown kind '" + kind + "' in '" + value + "' (kinds: "
                    + String.join(", ", RuntimeOptions.KINDS) + ")");
        }
        try {
            RuntimeOptions.check(kind, name);
        } catch (IllegalArgumentException e) {
            throw new UsageException("option --policy: " + e.getMessage());
        }
        return Map.entry(kind, name);
    }

    /**
     * Collects the options of {@link RuntimeOptions} from a command's argument loop: the command
     * offers each argument to {@link #accept} before its own options.
     */
    public static final class RuntimeArgs {
        private final Map<String, String> policies = new LinkedHashMap<>();
        private long schedtraceMillis;

        /**
         * If {@code args.get(i)} is {@code --policy} or {@code --schedtrace} (either with its value
         * after {@code =}, {@code --policy} also with it as the next argument), records it and
         * returns how many arguments it took; else returns 0.
         *
         * @throws UsageException on a missing or bad value, or a kind given twice
         */
        public int accept(List<String> args, int i) {
            String arg = args.get(i);
            if (arg.equals("--schedtrace")) {
                schedtraceMillis = RuntimeOptions.DEFAULT_SCHEDTRACE_MS;
                return 1;
            }
            if (arg.startsWith("--schedtrace=")) {
                schedtraceMillis = parseInt("--schedtrace", arg.substring("--schedtrace=".length()), 1);
                return 1;
            }
            String value;
            int took;
            if (arg.equals("--policy")) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("option --policy needs a value KIND=NAME (kinds: "
                            + String.join(", ", RuntimeOptions.KINDS) + ")");
                }
                value = args.get(i + 1);
                took = 2;
            } else if (arg.startsWith("--policy=")) {
                value = arg.substring("--policy=".length());
                took = 1;
            } else {
                return 0;
            }
            Map.Entry<String, String> p = parsePolicy(value);
            if (policies.putIfAbsent(p.getKey(), p.getValue()) != null) {
                throw new UsageException("option --policy: kind '" + p.getKey() + "' given twice");
            }
            return took;
        }

        /** The options collected so far. */
        public RuntimeOptions result() {
            return new RuntimeOptions(policies, schedtraceMillis);
        }
    }
}
