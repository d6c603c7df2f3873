package dev.jgo.assembly.internal;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.bench.Args;
import dev.jgo.bench.RuntimeOptions;
import dev.jgo.spi.PolicyControl;
import dev.jgo.spi.StealPolicy;
import dev.jgo.sync.Chan;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jgo osgi}: boots an embedded Felix with {@code target/bundles}, runs a goroutine
 * workload through the {@code GoRuntime} service, swaps a higher-ranked steal policy in and out
 * of the running runtime, sleeps through the timer bundle's service and stops and restarts that
 * bundle, prints what happened and stops the framework. No shell.
 */
@Command(
        name = "osgi",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Boot an embedded Apache Felix with the bundles of target/bundles (Declarative Services,"
                + " Config Admin), run a goroutine workload through the dev.jgo.GoRuntime service, swap a"
                + " higher-ranked StealPolicy service in and out, sleep through jgo-timer's service, stop and"
                + " restart that bundle, stop the framework (no shell). --policy and --schedtrace become the"
                + " runtime service's defaults (framework properties jgo.stealPolicy, jgo.spinPolicy,"
                + " jgo.fairnessPolicy, jgo.timers); policy services still win.")
final class OsgiCommand implements Callable<Integer> {
    static final int DEFAULT_N = 10_000;

    /** The framework property (read by jgo-osgi's runtime component) of each --policy kind. */
    private static final Map<String, String> PROPERTY = Map.of(
            "steal", "jgo.stealPolicy", "spin", "jgo.spinPolicy", "fair", "jgo.fairnessPolicy", "timers", "jgo.timers");

    @Option(names = "--bundles", paramLabel = "DIR", description = "bundle folder (default: bundles/ next to jgo.jar)")
    Path bundles;

    @Option(
            names = "--procs",
            paramLabel = "P",
            description = "GOMAXPROCS of the runtime service, 1 to " + Args.MAX_PROCS
                    + " (framework property jgo.procs; default: available processors)")
    String procs;

    @Option(
            names = "--n",
            paramLabel = "N",
            description = "goroutines in the demo workload (default " + DEFAULT_N + ")")
    String n;

    @Mixin
    RuntimeMixin runtime;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        run(
                bundles == null ? FelixLauncher.defaultBundles() : bundles,
                procs == null ? null : Args.parseProcs("--procs", procs),
                n == null ? DEFAULT_N : Args.parseInt("--n", n, 1),
                runtime.options(),
                Main.out(spec));
        return Main.OK;
    }

    /**
     * Runs the demo; {@code procs} null for the framework's default. The runtime options become
     * the runtime service's defaults (framework properties jgo.stealPolicy, jgo.spinPolicy,
     * jgo.fairnessPolicy, jgo.timers); policy services still win.
     */
    static void run(Path bundles, Integer procs, int n, RuntimeOptions ro, PrintStream out) {
        Map<String, String> props = new HashMap<>();
        if (procs != null) {
            props.put("jgo.procs", procs.toString());
        }
        ro.policies().forEach((kind, name) -> props.put(PROPERTY.get(kind), name));
        String debugBefore = System.getProperty("jgo.debug");
        if (ro.schedtraceMillis() > 0) { // read by the core when the component builds the runtime
            System.setProperty("jgo.debug", "schedtrace=" + ro.schedtraceMillis());
        }
        Path storage;
        try {
            storage = Files.createTempDirectory("jgo-felix");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (FelixLauncher felix = FelixLauncher.start(bundles, FelixLauncher.ApiMode.CLASS_PATH, storage, props)) {
            out.println("felix " + felix.framework().getVersion() + ": "
                    + felix.bundles().size() + " bundles from " + bundles);
            for (Bundle b : felix.bundles()) {
                out.printf("  %-30s %-20s %s%n", b.getSymbolicName(), b.getVersion(), state(b));
            }
            GoRuntime rt = (GoRuntime) felix.awaitService(FelixLauncher.RUNTIME_SERVICE, 10, TimeUnit.SECONDS);
            if (rt == null) {
                throw new IllegalStateException(
                        "no dev.jgo.GoRuntime service after 10 s (is Felix SCR active, jgo-core's RuntimeProvider registered?)");
            }
            PolicyControl pc = (PolicyControl) rt;
            out.println("service dev.jgo.GoRuntime: " + rt + ", steal policy "
                    + pc.stealPolicy().name());
            workload(rt, n, out);

            CountingStealPolicy counting = new CountingStealPolicy(StealPolicy.tokio());
            Hashtable<String, Object> sp = new Hashtable<>();
            sp.put(Constants.SERVICE_RANKING, 100);
            ServiceRegistration<StealPolicy> reg =
                    felix.framework().getBundleContext().registerService(StealPolicy.class, counting, sp);
            out.println("registered StealPolicy service '" + counting.name() + "' (service.ranking 100): runtime uses "
                    + pc.stealPolicy().name());
            workload(rt, n, out);
            out.println("  its victim choices: " + counting.choices());
            reg.unregister();
            out.println("unregistered it: runtime uses " + pc.stealPolicy().name());
            timers(felix, rt, out);
        } catch (BundleException e) {
            throw new IllegalStateException("framework start failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            delete(storage);
            if (ro.schedtraceMillis() > 0) {
                if (debugBefore == null) {
                    System.clearProperty("jgo.debug");
                } else {
                    System.setProperty("jgo.debug", debugBefore);
                }
            }
        }
        out.println("framework stopped");
    }

    /** Sleeps through jgo-timer's service, stops that bundle, shows the clear failure, restarts it. */
    private static void timers(FelixLauncher felix, GoRuntime rt, PrintStream out)
            throws BundleException, InterruptedException {
        Bundle timer = felix.bundles().stream()
                .filter(b -> b.getSymbolicName().equals("jgo-timer"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no jgo-timer bundle"));
        out.println("Go.sleep(10 ms) through jgo-timer's TimerQueueFactory service: " + sleep(rt));
        timer.stop();
        out.println("stopped jgo-timer: Go.sleep: " + sleep(rt));
        timer.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String s;
        while ((s = sleep(rt)).startsWith("failed") && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        out.println("started it again: Go.sleep: " + s);
    }

    /** "slept N ms", or "failed: " and the message of what Go.sleep threw. */
    private static String sleep(GoRuntime rt) {
        return rt.run(() -> {
            long t0 = System.nanoTime();
            try {
                Go.sleep(Duration.ofMillis(10));
            } catch (IllegalStateException e) {
                return "failed: " + e.getMessage();
            }
            return String.format(java.util.Locale.ROOT, "slept %.1f ms", (System.nanoTime() - t0) / 1e6);
        });
    }

    /** n goroutines each sum a range and send it on a channel; main adds the sums. */
    private static void workload(GoRuntime rt, int n, PrintStream out) {
        long t0 = System.nanoTime();
        long sum = rt.run(() -> {
            Chan<Long> c = Chan.make(64);
            for (int i = 0; i < n; i++) {
                long base = i;
                Go.go(() -> {
                    long s = 0;
                    for (int j = 0; j < 100; j++) {
                        s += base;
                        if (j % 25 == 0) {
                            Go.yield();
                        }
                    }
                    c.send(s);
                });
            }
            long total = 0;
            for (int i = 0; i < n; i++) {
                total += c.recv();
            }
            return total;
        });
        long expected = 100L * n * (n - 1) / 2;
        out.printf(
                "  workload: %d goroutines over %d Ps, channel sum %d (%s), %.1f ms%n",
                n,
                rt.gomaxprocs(),
                sum,
                sum == expected ? "correct" : "WRONG, expected " + expected,
                (System.nanoTime() - t0) / 1e6);
        if (sum != expected) {
            throw new IllegalStateException("workload sum " + sum + ", expected " + expected);
        }
    }

    private static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            default -> "state " + b.getState();
        };
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp folder
        }
    }
}
