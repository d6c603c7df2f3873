package dev.jgo.assembly.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Boots an embedded OSGi framework (Apache Felix) with jgo's bundle set ({@code
 * assembly/target/bundles}).
 *
 * <h2>Where the API lives</h2>
 *
 * <p>Problem: a program that embeds a framework and calls the {@code dev.jgo.GoRuntime} service
 * needs the service's interface from the same class loader as its own code, or the cast fails. And
 * {@code dev.jgo.Go}/{@code dev.jgo.sync} reach the runtime through static state of the API
 * classes ({@code Carrier}): goroutine code must see the API classes the runtime bundle sees.
 *
 * <p>Two modes:
 *
 * <ol>
 *   <li>{@link ApiMode#CLASS_PATH} (the {@code osgi} command, the typed integration tests): the
 *       system bundle exports the API packages from the class path, with the versions and {@code
 *       uses} directives of jgo-api's own {@code Export-Package}; the jgo-api bundle is not
 *       installed. Host and bundles share one copy of the API.
 *   <li>{@link ApiMode#BUNDLE} (a plain container): every bundle is installed, jgo-api included;
 *       the host sees the service only as {@code Object} (the container tests call it
 *       reflectively).
 * </ol>
 *
 * <p>Either way the framework property {@code org.osgi.framework.system.packages.extra} names
 * {@code jdk.internal.vm} (continuations), and the
 * JVM needs {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}: bundle class loaders are
 * unnamed modules. JDK virtual threads on jgo's scheduler ({@code GoRuntime.virtualThreadBuilder()})
 * also need {@code --add-opens java.base/java.lang=ALL-UNNAMED}.
 */
final class FelixLauncher implements AutoCloseable {
    /** How the host and the bundles share the jgo API: see "Where the API lives". */
    enum ApiMode {
        CLASS_PATH,
        BUNDLE
    }

    static final String API_BUNDLE = "jgo-api";
    static final String RUNTIME_SERVICE = "dev.jgo.GoRuntime";

    private final Framework framework;
    private final List<Bundle> installed = new ArrayList<>();

    private FelixLauncher(Framework framework) {
        this.framework = framework;
    }

    /**
     * Starts a framework with every bundle in {@code bundlesDir} installed and started.
     *
     * @param props extra framework properties (such as {@code jgo.procs})
     */
    static FelixLauncher start(Path bundlesDir, ApiMode mode, Path storage, Map<String, String> props)
            throws BundleException {
        List<Path> jars = bundleJars(bundlesDir);
        Path api = jars.stream()
                .filter(p -> p.getFileName().toString().startsWith(API_BUNDLE + "-"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + API_BUNDLE + " jar in " + bundlesDir));
        Map<String, String> config = new HashMap<>(props);
        String extra = "jdk.internal.vm";
        if (mode == ApiMode.CLASS_PATH) {
            extra += "," + exportPackage(api);
            jars.remove(api);
        }
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, extra);
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, FelixLauncher.class.getClassLoader())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi FrameworkFactory on the class path"));
        Framework fw = factory.newFramework(config);
        fw.start();
        FelixLauncher l = new FelixLauncher(fw);
        try {
            for (Path jar : jars) {
                l.installed.add(fw.getBundleContext().installBundle(jar.toUri().toString()));
            }
            for (Bundle b : l.installed) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    b.start();
                }
            }
        } catch (BundleException | RuntimeException e) {
            l.close();
            throw e;
        }
        return l;
    }

    /** The bundle jars of {@code dir}, sorted by name. */
    static List<Path> bundleJars(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("bundle folder " + dir + " does not exist: build with mvn install first");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(p -> p.toString().endsWith(".jar"))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code Export-Package} header of a bundle jar. */
    static String exportPackage(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            String h = m == null ? null : m.getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
            if (h == null) {
                throw new IllegalStateException(jar + " exports nothing");
            }
            return h;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The default bundle folder: {@code bundles} next to the jar (or classes folder) of this class. */
    static Path defaultBundles() {
        try {
            Path self = Path.of(FelixLauncher.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return self.getParent().resolve("bundles");
        } catch (Exception e) {
            return Path.of("assembly", "target", "bundles");
        }
    }

    Framework framework() {
        return framework;
    }

    List<Bundle> bundles() {
        return List.copyOf(installed);
    }

    /** Waits for the first service named {@code clazz}; null on timeout. */
    Object awaitService(String clazz, long timeout, TimeUnit unit) throws InterruptedException {
        ServiceTracker<Object, Object> t = new ServiceTracker<>(framework.getBundleContext(), clazz, null);
        t.open(true);
        try {
            return t.waitForService(unit.toMillis(timeout));
        } finally {
            t.close();
        }
    }

    /** Stops the framework and waits for it; the bundles' components deactivate. */
    @Override
    public void close() {
        try {
            framework.stop();
            FrameworkEvent e = framework.waitForStop(TimeUnit.SECONDS.toMillis(30));
            if (e.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                throw new IllegalStateException("framework did not stop within 30 s");
            }
        } catch (BundleException e) {
            throw new IllegalStateException("framework stop failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
