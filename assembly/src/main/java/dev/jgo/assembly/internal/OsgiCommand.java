package dev.jgo.assembly.internal;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.bench.Args;
import dev.jgo.bench.RuntimeOptions;
import dev.jgo.bench.UsageException;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * {@code jgo osgi}: boots an embedded Felix with {@code target/bundles}, runs a goroutine
 * workload through the {@code GoRuntime} service, swaps a higher-ranked steal policy in and out
 * of the running runtime, sleeps through the timer bundle's service and stops and restarts that
 * bundle, prints what happened and stops the framework. No shell.
 */
final class OsgiCommand {
    static final int DEFAULT_N = 10_000;

    /** The framework property (read by jgo-osgi's runtime component) of each --policy kind. */
    private static final Map<String, String> PROPERTY = Map.of(
            "steal", "jgo.stealPolicy", "spin", "jgo.spinPolicy", "fair", "jgo.fairnessPolicy", "timers", "jgo.timers");

    private OsgiCommand() {}

    static String usage() {
        return """
                  --bundles DIR     bundle folder (default: bundles/ next to jgo.jar)
                  --procs N         GOMAXPROCS of the runtime service, 1 to %d (framework property
                                    jgo.procs; default: available processors)
                  --n N             goroutines in the demo workload (default %d)
                  --policy, --schedtrace  see "runtime options": the runtime service's defaults
                                    (framework properties jgo.stealPolicy, jgo.spinPolicy,
                                    jgo.fairnessPolicy, jgo.timers); policy services still win
                """.formatted(Args.MAX_PROCS, DEFAULT_N);
    }

    static void run(List<String> args, PrintStream out) {
        Path bundles = FelixLauncher.defaultBundles();
        Integer procs = null;
        int n = DEFAULT_N;
        Args.RuntimeArgs runtime = new Args.RuntimeArgs();
        for (int i = 0; i < args.size(); i++) {
            int took = runtime.accept(args, i);
            if (took > 0) {
                i += took - 1;
                continue;
            }
            String a = args.get(i);
            switch (a) {
                case "--bundles" -> bundles = Path.of(value(args, ++i, a));
                case "--procs" -> procs = Args.parseProcs(a, value(args, ++i, a));
                case "--n" -> n = Args.parseInt(a, value(args, ++i, a), 1);
                default ->
                    throw new UsageException("osgi: unknown option '" + a
                            + "' (valid: --bundles, --procs, --n, --policy, --schedtrace)");
            }
        }
        RuntimeOptions ro = runtime.result();
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

    private static String value(List<String> args, int i, String opt) {
        if (i >= args.size()) {
            throw new UsageException("osgi: " + opt + " needs a value");
        }
        return args.get(i);
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp folder
        }
    }
}
