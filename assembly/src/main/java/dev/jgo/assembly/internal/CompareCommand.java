package dev.jgo.assembly.internal;

import dev.jgo.bench.Compare;
import dev.jgo.bench.CompareOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jgo compare}: workloads on jgo under a matrix of policies and GOMAXPROCS values. picocli
 * reads the options' syntax; {@link CompareOptions#parse} checks their values and builds the matrix.
 */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Run workloads on jgo under a matrix of scheduling policies and GOMAXPROCS values, alternating the"
                    + " combinations; print medians of wall time, process CPU time, CPU/wall and the scheduler"
                    + " counters; write DIR/compare.csv (one row per run) and DIR/compare-WORKLOAD.svg."
        })
final class CompareCommand implements Callable<Integer> {
    @Option(
            names = {"--workloads", "--workload"},
            paramLabel = "NAME[,NAME...]",
            description = "workloads or groups (default: skynet,yield-many); any name 'bench' accepts")
    List<String> workloads = new ArrayList<>();

    @Option(
            names = "--policies",
            paramLabel = "KIND=NAME[,NAME...][;KIND=...]",
            description = "the policy matrix: every combination of the names given; a kind left out stays go"
                    + " (default: steal=go); --policy KIND=NAME fixes a kind the matrix leaves out")
    String policies;

    @Option(
            names = "--procs",
            paramLabel = "P[,P...]",
            description = "GOMAXPROCS values, each 1 to " + dev.jgo.bench.Args.MAX_PROCS
                    + " (default: GOMAXPROCS, else the CPU count)")
    List<String> procs = new ArrayList<>();

    @Option(names = "--n", paramLabel = "N", description = "size of every workload (default: each workload's)")
    String n;

    @Option(
            names = "--runs",
            paramLabel = "R",
            description = "measured runs per cell, medians reported (default: " + CompareOptions.DEFAULT_RUNS + ")")
    String runs;

    @Option(
            names = "--warmup",
            paramLabel = "W",
            description = "unmeasured runs per cell first (default: " + CompareOptions.DEFAULT_WARMUP + ")")
    String warmup;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "folder for compare.csv and compare-WORKLOAD.svg" + " (default: " + CompareOptions.DEFAULT_OUT
                    + "; created if missing)")
    String out;

    @Mixin
    RuntimeMixin runtime;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The arguments as {@link CompareOptions#parse} reads them. */
    List<String> args() {
        List<String> a = new ArrayList<>();
        for (String w : workloads) {
            a.add("--workloads=" + w);
        }
        Main.add(a, "--policies", policies);
        for (String p : procs) {
            a.add("--procs=" + p);
        }
        Main.add(a, "--n", n);
        Main.add(a, "--runs", runs);
        Main.add(a, "--warmup", warmup);
        Main.add(a, "--out", out);
        a.addAll(runtime.args());
        return a;
    }

    @Override
    public Integer call() {
        CompareOptions o = CompareOptions.parse(args());
        Compare.run(
                o,
                Main.out(spec),
                Main.progress(
                        spec,
                        "compare",
                        o.workloads().size() * o.procs().size(),
                        o.runtime().schedtraceMillis() > 0));
        return Main.OK;
    }
}
