package dev.jgo.assembly.internal;

import dev.jgo.bench.Args;
import dev.jgo.bench.RuntimeOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The runtime options of every command that builds a jgo runtime ({@code bench}, {@code compare},
 * {@code serve}, {@code osgi}): {@code --policy KIND=NAME} (repeatable) and {@code
 * --schedtrace[=MS]}. picocli reads their syntax; {@link Args.RuntimeArgs} checks the values, as
 * for any other user of {@link RuntimeOptions}.
 */
final class RuntimeMixin {
    @Option(
            names = "--policy",
            paramLabel = "KIND=NAME",
            description = "a policy of every jgo runtime (repeatable, one per kind); kinds and names below")
    List<String> policies = new ArrayList<>();

    @Option(
            names = "--schedtrace",
            paramLabel = "MS",
            arity = "0..1",
            fallbackValue = "",
            description = "print Go's schedtrace line to stderr every MS ms (default 1000)")
    String schedtrace;

    /** The arguments as {@link Args.RuntimeArgs} reads them, for a parser that takes a list. */
    List<String> args() {
        List<String> a = new ArrayList<>();
        for (String p : policies) {
            a.add("--policy=" + p);
        }
        if (schedtrace != null) {
            a.add(schedtrace.isEmpty() ? "--schedtrace" : "--schedtrace=" + schedtrace);
        }
        return a;
    }

    /**
     * The options, their values checked.
     *
     * @throws dev.jgo.bench.UsageException on a bad kind, name or period
     */
    RuntimeOptions options() {
        Args.RuntimeArgs r = new Args.RuntimeArgs();
        List<String> a = args();
        for (int i = 0; i < a.size(); ) {
            int took = r.accept(a, i);
            if (took == 0) { // every argument args() makes is one RuntimeArgs reads
                throw new AssertionError(a.get(i));
            }
            i += took;
        }
        return r.result();
    }
}
