package dev.jgo.bench;

import dev.jgo.spi.Policies;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The options of the {@code compare} command: which workloads, policy combinations and processor
 * counts to run on jgo, and where to write the files.
 *
 * @param workloads workload names, in the order given (a group name stands for its workloads)
 * @param policies the policy combinations, in matrix order
 * @param procs the GOMAXPROCS values, in the order given
 * @param n the size of every workload, or empty for each workload's default
 * @param runs measured runs per cell (medians are reported)
 * @param warmup unmeasured runs per cell first
 * @param out the folder for the CSV and SVG files
 * @param runtime {@code --policy} and {@code --schedtrace}: a {@code --policy} of a kind the
 *     matrix does not vary fixes that kind for every cell (its steal, spin and fair choices are
 *     already folded into {@code policies}); {@code timers} applies to every runtime
 */
public record CompareOptions(
        List<String> workloads,
        List<PolicySet> policies,
        List<Integer> procs,
        OptionalInt n,
        int runs,
        int warmup,
        Path out,
        RuntimeOptions runtime) {

    public static final int DEFAULT_RUNS = 3;
    public static final int DEFAULT_WARMUP = 1;
    public static final String DEFAULT_OUT = "jgo-compare";

    /** The kinds of policy {@code --policies} varies, in matrix order. */
    public static final List<String> KINDS = List.of("steal", "spin", "fair");

    public CompareOptions {
        workloads = List.copyOf(workloads);
        policies = List.copyOf(policies);
        procs = List.copyOf(procs);
        Objects.requireNonNull(n, "n");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(runtime, "runtime");
        if (workloads.isEmpty() || policies.isEmpty() || procs.isEmpty()) {
            throw new IllegalArgumentException("workloads, policies and procs must not be empty");
        }
    }

    /**
     * One cell of the policy matrix, by {@link Policies} names.
     *
     * @param steal a name in {@link Policies#STEAL}
     * @param spin a name in {@link Policies#SPIN}
     * @param fair a name in {@link Policies#FAIR}
     */
    public record PolicySet(String steal, String spin, String fair) {

        /** Go's policies. */
        public static PolicySet go() {
            return new PolicySet("go", "go", "go");
        }

        /** {@code steal/spin/fair}, for tables and charts. */
        public String label() {
            return steal + "/" + spin + "/" + fair;
        }
    }

    /** The usage text of the options, one per line, indented by two spaces. */
    public static String usage() {
        return """
                  --workloads NAME[,NAME...] workloads or groups (default: skynet,yield-many);
                                             any name 'bench' accepts
                  --policies KIND=NAME[,NAME...][;KIND=NAME[,NAME...]...]
                                             the policy matrix: every combination of the names
                                             given; a kind left out stays go (default: steal=go)
                                             steal: %s
                                             spin:  %s
                                             fair:  %s
                                             --policy KIND=NAME fixes a kind the matrix
                                             leaves out (and sets timers)
                  --procs P[,P...]           GOMAXPROCS values, each 1 to %d (default: CPU count)
                  --n N                      size of every workload (default: each workload's)
                  --runs R                   measured runs per cell, medians reported (default: %d)
                  --warmup W                 unmeasured runs per cell first (default: %d)
                  --out DIR                  folder for compare.csv and compare-WORKLOAD.svg
                                             (default: %s; created if missing)
                  --policy, --schedtrace     see "runtime options"
                """.formatted(
                        String.join(", ", Policies.STEAL),
                        String.join(", ", Policies.SPIN),
                        String.join(", ", Policies.FAIR),
                        Args.MAX_PROCS,
                        DEFAULT_RUNS,
                        DEFAULT_WARMUP,
                        DEFAULT_OUT);
    }

    /**
     * Parses the arguments that follow {@code compare}. Options take their value as the next
     * argument or after {@code =}.
     *
     * @throws UsageException on an unknown option, a missing or bad value, or an unknown name
     */
    public static CompareOptions parse(List<String> args) {
        Set<String> workloads = new LinkedHashSet<>();
        String policiesValue = null;
        Args.RuntimeArgs runtime = new Args.RuntimeArgs();
        Set<Integer> procs = new LinkedHashSet<>();
        OptionalInt n = OptionalInt.empty();
        int runs = DEFAULT_RUNS;
        int warmup = DEFAULT_WARMUP;
        Path out = Path.of(DEFAULT_OUT);
        for (int i = 0; i < args.size(); i++) {
            int took = runtime.accept(args, i);
            if (took > 0) {
                i += took - 1;
                continue;
            }
            String arg = args.get(i);
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!List.of("--workloads", "--workload", "--policies", "--procs", "--n", "--runs", "--warmup", "--out")
                    .contains(name)) {
                throw new UsageException(
                        arg.startsWith("-") ? "unknown option '" + arg + "'" : "unexpected argument '" + arg + "'");
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("option " + name + " needs a value");
                }
                value = args.get(++i);
            }
            switch (name) {
                case "--workloads", "--workload" -> {
                    for (String w : Args.splitList(name, value)) {
                        var group = Workloads.group(w);
                        if (group.isPresent()) {
                            workloads.addAll(group.get());
                        } else if (Workloads.allNames().contains(w)) {
                            workloads.add(w);
                        } else {
                            throw new UsageException("unknown workload '" + w + "' (known: "
                                    + String.join(", ", Workloads.allNames()) + "; groups: " + Workloads.SCHED
                                    + ", " + Workloads.CHAN + ", " + Workloads.MEM + ", " + Workloads.VTHREADS + ")");
                        }
                    }
                }
                case "--policies" -> policiesValue = value;
                case "--procs" -> {
                    for (String p : Args.splitList(name, value)) {
                        procs.add(Args.parseProcs(name, p));
                    }
                }
                case "--n" -> n = OptionalInt.of(Args.parseInt(name, value, 1));
                case "--runs" -> runs = Args.parseInt(name, value, 1);
                case "--warmup" -> warmup = Args.parseInt(name, value, 0);
                case "--out" -> {
                    if (value.isBlank()) {
                        throw new UsageException("option --out needs a folder");
                    }
                    out = Path.of(value);
                }
                default -> throw new AssertionError(name);
            }
        }
        RuntimeOptions rt = runtime.result();
        Map<String, String> fixed = new LinkedHashMap<>();
        for (String kind : KINDS) {
            String name = rt.policies().get(kind);
            if (name != null) {
                fixed.put(kind, name);
            }
        }
        return new CompareOptions(
                workloads.isEmpty() ? List.of("skynet", "yield-many") : List.copyOf(workloads),
                policiesValue == null ? List.of(fixedSet(fixed)) : parsePolicies(policiesValue, fixed),
                procs.isEmpty() ? List.of(dev.jgo.spi.RuntimeConfig.defaultProcs()) : List.copyOf(procs),
                n,
                runs,
                warmup,
                out,
                rt);
    }

    private static PolicySet fixedSet(Map<String, String> fixed) {
        return new PolicySet(
                fixed.getOrDefault("steal", "go"), fixed.getOrDefault("spin", "go"), fixed.getOrDefault("fair", "go"));
    }

    /**
     * Parses {@code KIND=NAME[,NAME...][;KIND=...]} into the matrix of every combination, steal
     * varying slowest. Each name is checked against {@link Policies}.
     */
    static List<PolicySet> parsePolicies(String value) {
        return parsePolicies(value, Map.of());
    }

    /**
     * As {@link #parsePolicies(String)}, a kind left out taking its name from {@code fixed}
     * ({@code --policy}) instead of {@code go}; a kind in both is an error.
     */
    static List<PolicySet> parsePolicies(String value, Map<String, String> fixed) {
        Map<String, List<String>> byKind = new LinkedHashMap<>();
        for (String kind : KINDS) {
            byKind.put(kind, List.of(fixed.getOrDefault(kind, "go")));
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String part : value.split(";", -1)) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("option --policies: expected KIND=NAME[,NAME...], got '" + p + "' (kinds: "
                        + String.join(", ", KINDS) + ")");
            }
            String kind = p.substring(0, eq).strip();
            if (!KINDS.contains(kind)) {
                throw new UsageException(
                        "option --policies: unknown kind '" + kind + "' (kinds: " + String.join(", ", KINDS) + ")");
            }
            if (!seen.add(kind)) {
                throw new UsageException("option --policies: kind '" + kind + "' given twice");
            }
            if (fixed.containsKey(kind)) {
                throw new UsageException("kind '" + kind + "' given both in --policies and in --policy " + kind + "="
                        + fixed.get(kind) + ": vary it in --policies or fix it with --policy");
            }
            List<String> names =
                    new ArrayList<>(new LinkedHashSet<>(Args.splitList("--policies", p.substring(eq + 1))));
            for (String nm : names) {
                try {
                    switch (kind) {
                        case "steal" -> Policies.steal(nm);
                        case "spin" -> Policies.spin(nm);
                        default -> Policies.fairness(nm);
                    }
                } catch (IllegalArgumentException e) {
                    throw new UsageException("option --policies: " + e.getMessage());
                }
            }
            byKind.put(kind, List.copyOf(names));
        }
        List<PolicySet> out = new ArrayList<>();
        for (String steal : byKind.get("steal")) {
            for (String spin : byKind.get("spin")) {
                for (String fair : byKind.get("fair")) {
                    out.add(new PolicySet(steal, spin, fair));
                }
            }
        }
        return out;
    }
}
