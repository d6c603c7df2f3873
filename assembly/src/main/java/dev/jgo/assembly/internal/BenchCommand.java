package dev.jgo.assembly.internal;

import dev.jgo.bench.BenchOptions;
import dev.jgo.bench.BenchRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jgo bench}: the workload suite on jgo and its peers. picocli reads the options' syntax;
 * {@link BenchOptions#parse} checks their values and expands workload groups, so the command line
 * and the bench module's own callers share one set of rules.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Run workloads on jgo and its peers (JDK virtual threads, ForkJoinPool, jox channels) in this JVM;"
                    + " print medians, ratios (peer/jgo, above 1 means jgo is faster) and ns per operation.",
            "With no options: the sched group, default sizes, every peer."
        })
final class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--workload",
            paramLabel = "NAME[,NAME...]",
            description = "workloads or groups to run" + " (repeatable; default: sched); workloads and groups below")
    List<String> workloads = new ArrayList<>();

    @Option(names = "--n", paramLabel = "N", description = "size of every workload (default: each workload's)")
    String n;

    @Option(
            names = "--runs",
            paramLabel = "R",
            description = "measured runs per peer, median reported (default: " + BenchOptions.DEFAULT_RUNS + ")")
    String runs;

    @Option(
            names = "--warmup",
            paramLabel = "W",
            description = "unmeasured runs per peer first (default: " + BenchOptions.DEFAULT_WARMUP + ")")
    String warmup;

    @Option(
            names = "--procs",
            paramLabel = "P",
            description = "jgo GOMAXPROCS and vt/fj parallelism, 1 to " + dev.jgo.bench.Args.MAX_PROCS
                    + " (default: GOMAXPROCS, else the CPU count)")
    String procs;

    @Option(
            names = "--peers",
            paramLabel = "PEER[,PEER...]",
            description = "peers to run: jgo, vt, fj, jox"
                    + " (default: all; a workload skips the peers it has no version for)")
    String peers;

    @Option(names = "--no-counters", description = "do not print jgo's scheduler counters")
    boolean noCounters;

    @Mixin
    RuntimeMixin runtime;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The arguments as {@link BenchOptions#parse} reads them. */
    List<String> args() {
        List<String> a = new ArrayList<>();
        for (String w : workloads) {
            a.add("--workload=" + w);
        }
        Main.add(a, "--n", n);
        Main.add(a, "--runs", runs);
        Main.add(a, "--warmup", warmup);
        Main.add(a, "--procs", procs);
        Main.add(a, "--peers", peers);
        if (noCounters) {
            a.add("--no-counters");
        }
        a.addAll(runtime.args());
        return a;
    }

    @Override
    public Integer call() {
        BenchOptions o = BenchOptions.parse(args());
        BenchRunner.run(
                o,
                Main.out(spec),
                Main.progress(spec, "bench", o.workloads().size(), o.runtime().schedtraceMillis() > 0));
        return Main.OK;
    }
}
