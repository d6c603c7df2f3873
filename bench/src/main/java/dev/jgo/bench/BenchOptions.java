package dev.jgo.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The options of the {@code bench} command.
 *
 * @param workloads workload names, in the order given (a group name stands for its workloads);
 *     the {@code sched} group when none is given
 * @param n the size of every workload, or empty for each workload's default
 * @param runs measured runs per peer (the median is reported)
 * @param warmup unmeasured runs per peer before the measured ones
 * @param procs jgo's GOMAXPROCS and the virtual-thread and ForkJoinPool parallelism, or empty for
 *     the available processors
 * @param peers the peers to run, jgo first when present
 * @param counters whether to print jgo's scheduler counters of each workload's last run
 * @param runtime the policies and schedtrace of every jgo runtime
 */
public record BenchOptions(
        List<String> workloads,
        OptionalInt n,
        int runs,
        int warmup,
        OptionalInt procs,
        List<Peer> peers,
        boolean counters,
        RuntimeOptions runtime) {

    public static final int DEFAULT_RUNS = 5;
    public static final int DEFAULT_WARMUP = 2;

    public BenchOptions {
        workloads = List.copyOf(workloads);
        peers = List.copyOf(peers);
        Objects.requireNonNull(n, "n");
        Objects.requireNonNull(procs, "procs");
        Objects.requireNonNull(runtime, "runtime");
    }

    /** Options with Go's policies and no schedtrace. */
    public BenchOptions(
            List<String> workloads,
            OptionalInt n,
            int runs,
            int warmup,
            OptionalInt procs,
            List<Peer> peers,
            boolean counters) {
        this(workloads, n, runs, warmup, procs, peers, counters, RuntimeOptions.defaults());
    }

    /** The scheduler suite with default sizes on every peer. */
    public static BenchOptions defaults() {
        return new BenchOptions(
                Workloads.names(),
                OptionalInt.empty(),
                DEFAULT_RUNS,
                DEFAULT_WARMUP,
                OptionalInt.empty(),
                List.of(Peer.values()),
                true,
                RuntimeOptions.defaults());
    }

    /** The processors every peer gets. */
    public int effectiveProcs() {
        return procs.orElse(dev.jgo.spi.RuntimeConfig.defaultProcs());
    }

    /** The usage text of the options, one per line, indented by two spaces. */
    public static String usage() {
        return """
                  --workload NAME[,NAME...]  workloads or groups to run (repeatable; default: sched)
                                             sched = %s
                                             chan = %s
                                             mem = %s
                                             vthreads = %s (jgo: JDK virtual
                                             threads on jgo's scheduler)
                  --n N                      size of every workload (default: each workload's)
                  --runs R                   measured runs per peer, median reported (default: %d)
                  --warmup W                 unmeasured runs per peer first (default: %d)
                  --procs P                  jgo GOMAXPROCS and vt/fj parallelism, 1 to %d
                                             (default: CPU count)
                  --peers PEER[,PEER...]     peers to run: jgo, vt, fj, jox (default: all; a
                                             workload skips the peers it has no version for)
                  --no-counters              do not print jgo's scheduler counters
                  --policy, --schedtrace     see "runtime options" (jgo only)
                """.formatted(
                        String.join(", ", Workloads.names()),
                        String.join(", ", Workloads.group(Workloads.CHAN).orElseThrow()),
                        String.join(", ", Workloads.group(Workloads.MEM).orElseThrow()),
                        String.join(", ", Workloads.group(Workloads.VTHREADS).orElseThrow()),
                        DEFAULT_RUNS,
                        DEFAULT_WARMUP,
                        Args.MAX_PROCS);
    }

    /**
     * Parses the arguments that follow {@code bench}. Options take their value as the next
     * argument or after {@code =}.
     *
     * @throws UsageException on an unknown option, a missing or bad value, or an unknown name
     */
    public static BenchOptions parse(List<String> args) {
        BenchOptions d = defaults();
        Set<String> workloads = new LinkedHashSet<>();
        OptionalInt n = OptionalInt.empty();
        int runs = d.runs();
        int warmup = d.warmup();
        OptionalInt procs = OptionalInt.empty();
        List<Peer> peers = null;
        boolean counters = true;
        Args.RuntimeArgs runtime = new Args.RuntimeArgs();
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
            if (name.equals("--no-counters")) {
                if (value != null) {
                    throw new UsageException("option --no-counters takes no value");
                }
                counters = false;
                continue;
            }
            if (!List.of("--workload", "--n", "--runs", "--warmup", "--procs", "--peers")
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
                case "--workload" -> {
                    for (String w : Args.splitList(name, value)) {
                        var group = Workloads.group(w);
                        if (group.isPresent()) {
                            workloads.addAll(group.get());
                            continue;
                        }
                        if (!Workloads.allNames().contains(w)) {
                            throw new UsageException("unknown workload '" + w + "' (known: "
                                    + String.join(", ", Workloads.allNames()) + "; groups: " + Workloads.SCHED
                                    + ", " + Workloads.CHAN + ", " + Workloads.MEM + ", " + Workloads.VTHREADS + ")");
                        }
                        workloads.add(w);
                    }
                }
                case "--n" -> n = OptionalInt.of(Args.parseInt(name, value, 1));
                case "--runs" -> runs = Args.parseInt(name, value, 1);
                case "--warmup" -> warmup = Args.parseInt(name, value, 0);
                case "--procs" -> procs = OptionalInt.of(Args.parseProcs(name, value));
                case "--peers" -> {
                    Set<Peer> ps = new LinkedHashSet<>();
                    for (String p : Args.splitList(name, value)) {
                        ps.add(Peer.parse(p));
                    }
                    peers = new ArrayList<>(ps);
                }
                default -> throw new AssertionError(name);
            }
        }
        return new BenchOptions(
                workloads.isEmpty() ? d.workloads() : List.copyOf(workloads),
                n,
                runs,
                warmup,
                procs,
                peers == null ? d.peers() : peers,
                counters,
                runtime.result());
    }
}
