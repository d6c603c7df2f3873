package dev.jgo.assembly.internal;

import dev.jgo.bench.BenchOptions;
import dev.jgo.bench.Progress;
import dev.jgo.bench.RuntimeOptions;
import dev.jgo.bench.UsageException;
import dev.jgo.bench.Workloads;
import dev.jgo.spi.Policies;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Properties;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code jgo} command line ({@code java -jar jgo.jar COMMAND ...}), on picocli: one
 * subcommand per command, each with its own {@code --help}.
 *
 * <p>Exit codes: 0 success; 1 failure while running (one line on stderr, the stack trace only
 * with {@code --verbose}); 2 bad command line (one line naming the problem and one with a hint
 * on stderr). Reports go to stdout; progress of the long commands ({@code bench}, {@code compare})
 * goes to stderr, in whole lines while schedtrace lines share it.
 */
@Command(
        name = "jgo",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {
            BenchCommand.class,
            CompareCommand.class,
            ServeCommand.class,
            OsgiCommand.class,
            CommandLine.HelpCommand.class
        },
        synopsisSubcommandLabel = "COMMAND",
        description = "Go's goroutine scheduler on the JVM: benchmarks, example servers and an OSGi demo.",
        footer = {
            "",
            "Each command's options: jgo COMMAND --help.",
            "",
            "Examples:",
            "  java -jar jgo.jar bench",
            "  java -XX:+UseParallelGC -Xms2g -Xmx2g -jar jgo.jar bench --workload skynet,yield-many --runs 9",
            "  java -jar jgo.jar bench --workload spawn-many --n 100000 --runs 1 --warmup 0",
            "  java -XX:+UseParallelGC -Xms2g -Xmx2g -jar jgo.jar bench --workload chan --runs 3 --warmup 1",
            "  java -XX:+UseParallelGC -Xms2g -Xmx2g -jar jgo.jar compare --workloads skynet,yield-many \\",
            "      --policies 'steal=go,linear,sticky;spin=go,one,none' --procs 1,2 --runs 3 --out DIR",
            "  java -jar jgo.jar serve --http --port 8080      # then: wrk -t1 -c64 -d10s http://127.0.0.1:8080/",
            "  java -jar jgo.jar bench --workload skynet --procs 2 --policy steal=linear --policy spin=one",
            "  java -jar jgo.jar bench --workload sleepers --policy timers=wheel --schedtrace=500",
            "  java -jar jgo.jar osgi --procs 4",
            "  source <(java -jar jgo.jar completion)          # bash/zsh completion of a 'jgo' command",
            "",
            Main.EXIT_CODES
        })
public final class Main implements Runnable {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    static final String EXIT_CODES = "Exit codes: 0 success, 1 failure while running, 2 bad command line.";

    @Option(
            names = "--verbose",
            scope = ScopeType.INHERIT,
            description = "on a failure, print the stack trace as well as the one-line message")
    boolean verbose;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    private Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        if (code != OK) {
            System.exit(code);
        }
    }

    /** Runs the command line {@code args}; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Main main = new Main(out, err);
        CommandLine cl = commandLine(main);
        cl.setOut(new PrintWriter(new OutputStreamWriter(out, charset(out)), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(err, charset(err)), true));
        cl.setParameterExceptionHandler((e, a) -> usageError(main, e.getCommandLine(), e));
        cl.setExecutionExceptionHandler(
                (e, c, r) -> e instanceof UsageException ? usageError(main, c, e) : failure(main, c, e));
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * The command tree, with the help texts that depend on what is on the class path; {@code main}
     * null for one that only parses (its commands print to System.out).
     */
    static CommandLine commandLine(Main main) {
        CommandLine cl = new CommandLine(main == null ? new Main(System.out, System.err) : main);
        cl.addSubcommand("version", new CommandLine(new VersionCommand()));
        cl.addSubcommand("completion", new CommandLine(new CompletionCommand()));
        cl.setUsageHelpWidth(100);
        cl.setUsageHelpLongOptionsMaxWidth(34);
        String runtimeOptions = runtimeOptions();
        footer(cl.getSubcommands().get("bench"), workloadList() + runtimeOptions);
        footer(cl.getSubcommands().get("compare"), workloadList() + runtimeOptions);
        footer(cl.getSubcommands().get("serve"), runtimeOptions);
        footer(cl.getSubcommands().get("osgi"), runtimeOptions);
        return cl;
    }

    private static void footer(CommandLine c, String text) {
        c.getCommandSpec().usageMessage().footer("", text, EXIT_CODES);
    }

    /** No command given: a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "no command given");
    }

    /** One line naming the problem, one with a hint; exit code 2. */
    private static int usageError(Main main, CommandLine c, Exception e) {
        main.err.println("jgo: " + prefix(c) + firstLine(e.getMessage()));
        String hint = "";
        if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            hint = "Did you mean "
                    + String.join(" or ", u.getSuggestions().stream().limit(3).toList()) + "? ";
        }
        main.err.println(hint + "See '" + c.getCommandSpec().qualifiedName() + " --help'.");
        return USAGE;
    }

    /** One line naming the failure (the stack trace too with --verbose); exit code 1. */
    private static int failure(Main main, CommandLine c, Exception e) {
        main.err.println("jgo: " + c.getCommandName() + " failed: " + message(e));
        if (main.verbose) {
            e.printStackTrace(main.err);
        }
        return FAILED;
    }

    private static String prefix(CommandLine c) {
        return c.getParent() == null ? "" : c.getCommandName() + ": ";
    }

    /**
     * The failure in one line: the message of the outermost exception that has one (an exception
     * thrown in a goroutine may come wrapped in one that repeats it), else its class.
     */
    static String message(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return firstLine(t.getMessage());
            }
        }
        return e.getClass().getName();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    private static Charset charset(PrintStream s) {
        return s.charset();
    }

    /** The out stream of the command line that {@code spec}'s command belongs to. */
    static PrintStream out(CommandSpec spec) {
        return ((Main) spec.root().userObject()).out;
    }

    /**
     * Progress of {@code total} items of {@code command} on the command line's err stream: a dot
     * per run as it finishes, or, while schedtrace lines share that stream, each item's line
     * whole once it ends.
     */
    static Progress progress(CommandSpec spec, String command, int total, boolean schedtrace) {
        // Invariant: a progress line is never split by a schedtrace line (both go to stderr).
        PrintStream err = ((Main) spec.root().userObject()).err;
        return new Progress(schedtrace ? WholeLines.of(err) : err, command, total);
    }

    /** Adds {@code --name=value} to {@code a} if the value was given. */
    static void add(List<String> a, String name, String value) {
        if (value != null) {
            a.add(name + "=" + value);
        }
    }

    private static String runtimeOptions() {
        List<String> timers = RuntimeOptions.timerNames();
        return """
                Runtime options (bench, compare, serve, osgi):
                  --policy KIND=NAME       a policy of every jgo runtime (repeatable, one per kind)
                                           steal:  %s
                                           spin:   %s
                                           fair:   %s
                                           timers: %s
                  --schedtrace[=MS]        print Go's schedtrace line to stderr every MS ms (default %d)
                  GOMAXPROCS, GODEBUG      as in Go: the default procs, schedtrace=MS and scheddetail=1
                """.formatted(
                        String.join(", ", Policies.STEAL),
                        String.join(", ", Policies.SPIN),
                        String.join(", ", Policies.FAIR),
                        timers.isEmpty() ? "(none: jgo-timer is not on the class path)" : String.join(", ", timers),
                        RuntimeOptions.DEFAULT_SCHEDTRACE_MS);
    }

    private static String workloadList() {
        StringBuilder sb = new StringBuilder("Workloads:\n");
        int procs = dev.jgo.spi.RuntimeConfig.defaultProcs();
        sb.append("  sched (default):\n");
        for (var w : Workloads.all(procs)) {
            sb.append(String.format("  %-22s %s%n", w.name(), w.description()));
        }
        sb.append("  chan:\n");
        for (var w : Workloads.channels()) {
            sb.append(String.format("  %-22s %s%n", w.name(), w.description()));
        }
        sb.append(String.format(
                "  groups: sched, chan, mem = %s%n",
                String.join(", ", Workloads.group(Workloads.MEM).orElseThrow())));
        sb.append(String.format(
                "  bench's defaults: %d runs after %d warm-up runs%n%n",
                BenchOptions.DEFAULT_RUNS, BenchOptions.DEFAULT_WARMUP));
        return sb.toString();
    }

    /** The project version stamped into the jar at build time. */
    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** {@code --version} of every command. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jgo " + version() + " (java " + System.getProperty("java.version") + ")"};
        }
    }

    /** {@code jgo version}. */
    @Command(
            name = "version",
            mixinStandardHelpOptions = true,
            versionProvider = Version.class,
            description = "Print jgo's and the JVM's versions.")
    static final class VersionCommand implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            out(spec).println(new Version().getVersion()[0]);
            return OK;
        }
    }

    /** {@code jgo completion}: the bash (and zsh, through bashcompinit) completion script. */
    @Command(
            name = "completion",
            mixinStandardHelpOptions = true,
            versionProvider = Version.class,
            description = {
                "Print a bash/zsh completion script for a command named jgo (an alias or a script running"
                        + " java -jar jgo.jar):",
                "  alias jgo='java -jar /path/to/jgo.jar'; source <(jgo completion)"
            })
    static final class CompletionCommand implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            out(spec).print(AutoComplete.bash("jgo", spec.root().commandLine()));
            return OK;
        }
    }
}
