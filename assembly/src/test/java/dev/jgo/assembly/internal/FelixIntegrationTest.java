package dev.jgo.assembly.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.NetPoller;
import dev.jgo.spi.PolicyControl;
import dev.jgo.spi.StealPolicy;
import dev.jgo.spi.TimerQueue;
import dev.jgo.sync.Chan;
import dev.jgo.time.Time;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * jgo in a real embedded Apache Felix: the bundles of {@code target/bundles}, Felix SCR and Config
 * Admin, the {@code dev.jgo.GoRuntime} service and policy services swapped while goroutines run.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FelixIntegrationTest {
    static final Path BUNDLES = Path.of("target", "bundles");

    @TempDir
    Path storage;

    private FelixLauncher felix;

    private FelixLauncher start(FelixLauncher.ApiMode mode, Map<String, String> props) throws Exception {
        felix = FelixLauncher.start(BUNDLES, mode, storage, props);
        return felix;
    }

    @AfterEach
    void stop() {
        if (felix != null) {
            felix.close();
        }
    }

    private BundleContext ctx() {
        return felix.framework().getBundleContext();
    }

    private GoRuntime runtime() throws InterruptedException {
        GoRuntime rt = (GoRuntime) felix.awaitService(FelixLauncher.RUNTIME_SERVICE, 20, TimeUnit.SECONDS);
        assertNotNull(rt, "no GoRuntime service");
        return rt;
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static Dictionary<String, Object> ranking(int r) {
        Hashtable<String, Object> d = new Hashtable<>();
        d.put(Constants.SERVICE_RANKING, r);
        return d;
    }

    /** n goroutines send on a channel; main sums. Stealing happens with several Ps. */
    static long workload(GoRuntime rt, int n) {
        long sum = rt.run(() -> {
            Chan<Long> c = Chan.make(16);
            for (int i = 0; i < n; i++) {
                long v = i;
                Go.go(() -> {
                    Go.yield();
                    c.send(v);
                });
            }
            long s = 0;
            for (int i = 0; i < n; i++) {
                s += c.recv();
            }
            return s;
        });
        assertEquals((long) n * (n - 1) / 2, sum);
        return sum;
    }

    @Test
    void everyBundleIsActiveAndTheServiceRunsGoroutines() throws Exception {
        start(FelixLauncher.ApiMode.CLASS_PATH, Map.of("jgo.procs", "3"));
        for (Bundle b : felix.bundles()) {
            assertEquals(Bundle.ACTIVE, b.getState(), b.getSymbolicName());
        }
        assertTrue(felix.bundles().stream().anyMatch(b -> b.getSymbolicName().equals("org.apache.felix.scr")));
        GoRuntime rt = runtime();
        assertEquals(3, rt.gomaxprocs(), "procs from the framework property jgo.procs");
        assertEquals(3, rt.gomaxprocs(4), "GOMAXPROCS changed through jgo-safepoint's bundle");
        assertEquals(4, rt.gomaxprocs());
        workload(rt, 1_000);
        assertEquals(4, rt.gomaxprocs(3));
        // jgo-profiler's component installed its provider behind dev.jgo.prof
        dev.jgo.spi.ProfilerProvider prof = dev.jgo.spi.ProfilerProvider.installed();
        assertTrue(
                prof != null && prof.getClass().getClassLoader() instanceof org.osgi.framework.BundleReference,
                "profiler from its bundle: " + prof);
        java.io.ByteArrayOutputStream dump = new java.io.ByteArrayOutputStream();
        dev.jgo.prof.Pprof.writeGoroutineProfile(dump, 1);
        assertTrue(dump.toString(java.nio.charset.StandardCharsets.UTF_8).contains("goroutine profile: total"));
        assertTrue(rt instanceof PolicyControl);
        assertSame(rt, ctx().getService(ctx().getServiceReference(PolicyControl.class)));
        workload(rt, 5_000);
        assertEquals(42, (int) rt.run(() -> 42));
    }

    @Test
    void aHigherRankedStealPolicyIsSwappedInWhileGoroutinesRunAndItsRemovalRestoresTheDefault() throws Exception {
        start(FelixLauncher.ApiMode.CLASS_PATH, Map.of("jgo.procs", "4"));
        GoRuntime rt = runtime();
        PolicyControl pc = (PolicyControl) rt;
        assertSame(StealPolicy.go(), pc.stealPolicy());

        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread load = new Thread(() -> {
            try {
                while (!stop.get()) {
                    workload(rt, 2_000);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        load.start();
        try {
            CountingStealPolicy high = new CountingStealPolicy(StealPolicy.tokio());
            ServiceRegistration<StealPolicy> highReg = ctx().registerService(StealPolicy.class, high, ranking(100));
            assertSame(high, pc.stealPolicy());
            await(() -> high.choices() > 0, "the swapped-in policy to be called");

            CountingStealPolicy mid = new CountingStealPolicy(StealPolicy.kotlin());
            ServiceRegistration<StealPolicy> midReg = ctx().registerService(StealPolicy.class, mid, ranking(50));
            assertSame(high, pc.stealPolicy(), "a lower-ranked service does not displace the best");

            highReg.unregister();
            assertSame(mid, pc.stealPolicy(), "falls back to the next");
            long before = mid.choices();
            await(() -> mid.choices() > before, "the next policy to be called");

            midReg.unregister();
            assertSame(StealPolicy.go(), pc.stealPolicy(), "falls back to the default");

            ServiceRegistration<StealPolicy> again = ctx().registerService(StealPolicy.class, mid, ranking(1));
            assertSame(mid, pc.stealPolicy());
            again.setProperties(ranking(7));
            assertSame(mid, pc.stealPolicy());
            again.unregister();
            assertSame(StealPolicy.go(), pc.stealPolicy());
        } finally {
            stop.set(true);
            load.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("workload failed during the swaps", failure.get());
        }
        workload(rt, 1_000);
    }

    /** Go's steal policy, except that choosing a victim throws: fails only on the stealing path. */
    static final class ThrowingStealPolicy implements StealPolicy {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String name() {
            return "throwing";
        }

        @Override
        public int rounds() {
            return StealPolicy.go().rounds();
        }

        @Override
        public int firstVictim(int thief, int nprocs, int random) {
            calls.incrementAndGet();
            throw new IllegalStateException("broken policy");
        }

        @Override
        public int stride(int nprocs, int random) {
            return StealPolicy.go().stride(nprocs, random);
        }

        @Override
        public boolean mayStealRunnext(int round, int rounds) {
            return StealPolicy.go().mayStealRunnext(round, rounds);
        }

        @Override
        public long runnextBackoffNanos() {
            return StealPolicy.go().runnextBackoffNanos();
        }

        @Override
        public long runnextMinAgeNanos() {
            return 0;
        }
    }

    @Test
    void aThrowingPolicyIsReportedOnceAndTheRuntimeStaysHealthy() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger("dev.jgo.core.policy"); // strong reference while the test runs
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        jul.addHandler(h);
        try {
            start(FelixLauncher.ApiMode.CLASS_PATH, Map.of("jgo.procs", "4"));
            GoRuntime rt = runtime();
            PolicyControl pc = (PolicyControl) rt;
            ThrowingStealPolicy bad = new ThrowingStealPolicy();
            ServiceRegistration<StealPolicy> reg = ctx().registerService(StealPolicy.class, bad, ranking(10));
            assertSame(bad, pc.stealPolicy());
            for (int i = 0; i < 10; i++) {
                workload(rt, 2_000);
            }
            assertEquals(1, records.size(), "reported once: " + records);
            assertTrue(
                    records.get(0).getMessage().contains("broken policy"),
                    records.get(0).getMessage());
            // Ms that were already inside the policy when it first failed may fail too (at most
            // one call per P), but once quarantined it is never called again.
            int calls = bad.calls.get();
            assertTrue(calls >= 1 && calls <= 4, "calls before quarantine took effect: " + calls);
            for (int i = 0; i < 5; i++) {
                workload(rt, 2_000);
            }
            assertEquals(calls, bad.calls.get(), "quarantined after its first failure");
            reg.unregister();
            assertSame(StealPolicy.go(), pc.stealPolicy());
            workload(rt, 2_000);
            assertEquals(1, records.size());
        } finally {
            jul.removeHandler(h);
        }
    }

    @Test
    void configAdminConfiguresTheRuntimeAndInvalidValuesWithdrawIt() throws Exception {
        start(FelixLauncher.ApiMode.CLASS_PATH, Map.of("jgo.procs", "2"));
        assertEquals(2, runtime().gomaxprocs());
        ServiceReference<?> ref = ctx().getServiceReference("org.osgi.service.cm.ConfigurationAdmin");
        Object ca = ctx().getService(ref);
        Method getConfiguration = ca.getClass().getMethod("getConfiguration", String.class, String.class);
        Object cfg = getConfiguration.invoke(ca, "dev.jgo.runtime", "?");
        Method update = cfg.getClass().getMethod("update", Dictionary.class);
        update.setAccessible(true);

        Hashtable<String, Object> props = new Hashtable<>();
        props.put("procs", 3);
        props.put("stealPolicy", "kotlin");
        update.invoke(cfg, props);
        await(() -> gomaxprocsNow() == 3, "the runtime to be rebuilt with procs 3");
        GoRuntime rt = runtime();
        assertSame(StealPolicy.kotlin(), ((PolicyControl) rt).stealPolicy(), "default policy from the configuration");
        workload(rt, 1_000);

        props.put("procs", "zero");
        update.invoke(cfg, props);
        // SCR may keep an immediate component's registration while its activation fails; either
        // way no runtime can be had.
        await(() -> gomaxprocsNow() == -1, "the invalid configuration to withdraw the runtime");

        props.put("procs", 2);
        update.invoke(cfg, props);
        await(() -> gomaxprocsNow() == 2, "the fixed configuration to restore the service");
    }

    private int gomaxprocsNow() {
        ServiceReference<GoRuntime> r = ctx().getServiceReference(GoRuntime.class);
        if (r == null) {
            return -1;
        }
        GoRuntime rt = ctx().getService(r);
        try {
            return rt == null ? -1 : rt.gomaxprocs();
        } finally {
            ctx().ungetService(r);
        }
    }

    @Test
    void stoppingTheFrameworkClosesTheRuntime() throws Exception {
        start(FelixLauncher.ApiMode.CLASS_PATH, Map.of("jgo.procs", "2", "jgo.name", "jgo-stoptest"));
        workload(runtime(), 1_000);
        assertTrue(carriers("jgo-stoptest") > 0);
        felix.close();
        felix = null;
        assertEquals(0, carriers("jgo-stoptest"), "no carrier thread outlives the component");
    }

    private static long carriers(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
                .count();
    }

    @Test
    @SuppressWarnings("unchecked")
    void inAPlainContainerEveryBundleIncludingTheApiIsActive() throws Exception {
        start(FelixLauncher.ApiMode.BUNDLE, Map.of("jgo.procs", "2"));
        assertEquals(FelixLauncher.bundleJars(BUNDLES).size(), felix.bundles().size());
        for (Bundle b : felix.bundles()) {
            assertEquals(Bundle.ACTIVE, b.getState(), b.getSymbolicName());
        }
        Object rt = felix.awaitService(FelixLauncher.RUNTIME_SERVICE, 20, TimeUnit.SECONDS);
        assertNotNull(rt);
        Bundle api = felix.bundles().stream()
                .filter(b -> b.getSymbolicName().equals(FelixLauncher.API_BUNDLE))
                .findFirst()
                .orElseThrow();
        Class<?> goRuntime = api.loadClass("dev.jgo.GoRuntime");
        assertTrue(goRuntime.isInstance(rt));
        assertTrue(goRuntime != GoRuntime.class, "the API comes from the bundle, not the class path");
        Method run = goRuntime.getMethod("run", Callable.class);
        assertEquals(42, run.invoke(rt, (Callable<Integer>) () -> 6 * 7));
        assertEquals(2, goRuntime.getMethod("gomaxprocs").invoke(rt));
        // ServiceLoader sees nothing across bundles: timers work only through the DS wiring.
        Method sleep = api.loadClass("dev.jgo.Go").getMethod("sleep", Duration.class);
        long slept = (Long) run.invoke(rt, (Callable<Long>) () -> {
            long t0 = System.nanoTime();
            sleep.invoke(null, Duration.ofMillis(20));
            return System.nanoTime() - t0;
        });
        assertTrue(slept >= TimeUnit.MILLISECONDS.toNanos(20), "slept " + slept + " ns");
    }

    private Bundle bundle(String symbolicName) {
        return felix.bundles().stream()
                .filter(b -> b.getSymbolicName().equals(symbolicName))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no bundle " + symbolicName));
    }

    /** Sleeps d in a goroutine: "slept", or the message of the IllegalStateException it got. */
    private static String trySleep(GoRuntime rt, Duration d) {
        return rt.run(() -> {
            long t0 = System.nanoTime();
            try {
                Go.sleep(d);
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
            long took = System.nanoTime() - t0;
            return took >= d.toNanos() ? "slept" : "woke early after " + took + " ns";
        });
    }

    @Test
    void timersAndTheNetworkPollerComeFromTheirBundles() throws Exception {
        start(FelixLauncher.ApiMode.CLASS_PATH, Map.of("jgo.procs", "2", "jgo.timers", "wheel"));
        for (String b : List.of("jgo-timer", "jgo-netpoll")) {
            assertEquals(Bundle.ACTIVE, bundle(b).getState(), b);
        }
        GoRuntime rt = runtime();
        assertEquals("slept", trySleep(rt, Duration.ofMillis(20)));
        assertEquals(
                "wheel",
                rt.run(() -> TimerQueue.current(Carrier.current()).name()),
                "the timer structure named by jgo.timers, from the bundle's service");
        assertTrue(rt.run(() -> TimerQueue.current(Carrier.current()).getClass().getName())
                .contains("TimerBridge"));
        assertTrue(rt.run(() -> Time.after(Duration.ofMillis(5)).recv() != null));
        assertTrue(NetPoller.get().getClass().getName().contains("NetPollBridge"));
        assertEquals("ping", rt.run(FelixIntegrationTest::echoOnce));
    }

    /** Listens, echoes one message on one connection, dials it: what came back. */
    private static String echoOnce() throws Exception {
        Listener l = Net.listen("127.0.0.1", 0);
        Go.go(() -> {
            try (Conn c = l.accept()) {
                ByteBuffer b = ByteBuffer.allocate(16);
                c.read(b);
                c.write(b.flip());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try (Conn c = Net.dial("127.0.0.1", l.port())) {
            c.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer b = ByteBuffer.allocate(16);
            while (b.position() < 4 && c.read(b) >= 0) {}
            return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
        } finally {
            l.close();
        }
    }

    @Test
    void stoppingTheTimerBundleFailsNewTimersClearlyAndRestartingItRestoresThem() throws Exception {
        start(FelixLauncher.ApiMode.CLASS_PATH, Map.of("jgo.procs", "2"));
        GoRuntime rt = runtime();
        assertEquals("slept", trySleep(rt, Duration.ofMillis(5)));
        // A goroutine asleep when the bundle stops still wakes: its queue is drained, not dropped.
        // armed before the stop (run returns once it is in a queue), then waited on by a goroutine
        dev.jgo.time.Timer armed = rt.run(() -> Time.newTimer(Duration.ofMillis(300)));
        CountDownLatch woke = new CountDownLatch(1);
        rt.go(() -> {
            armed.c().recv();
            woke.countDown();
        });
        Bundle timer = bundle("jgo-timer");
        timer.stop();
        String msg = trySleep(rt, Duration.ofMillis(5));
        assertTrue(msg.contains("jgo-timer bundle is stopped"), msg);
        String after = rt.run(() -> {
            try {
                Time.after(Duration.ofMillis(1));
                return "made a timer";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        assertTrue(after.contains("jgo-timer bundle is stopped"), after);
        workload(rt, 2_000); // the runtime still runs goroutines
        assertTrue(woke.await(10, TimeUnit.SECONDS), "the goroutine asleep before the stop woke");

        timer.start();
        await(() -> trySleep(rt, Duration.ofMillis(1)).equals("slept"), "sleep after the timer bundle restarted");
        assertEquals("slept", trySleep(rt, Duration.ofMillis(20)));
        assertTrue(rt.run(() -> Time.after(Duration.ofMillis(5)).recv() != null));
        assertSame(rt, runtime(), "the same runtime service throughout");
        workload(rt, 2_000);
    }

    @Test
    void stoppingTheNetpollBundleFailsNetworkCallsClearlyAndRestartingItRestoresThem() throws Exception {
        start(FelixLauncher.ApiMode.CLASS_PATH, Map.of("jgo.procs", "2"));
        GoRuntime rt = runtime();
        assertEquals("ping", rt.run(FelixIntegrationTest::echoOnce));
        CountDownLatch accepting = new CountDownLatch(1);
        CountDownLatch failed = new CountDownLatch(1);
        AtomicReference<Throwable> acceptError = new AtomicReference<>();
        rt.go(() -> {
            try {
                Listener l = Net.listen("127.0.0.1", 0);
                accepting.countDown();
                l.accept();
            } catch (Throwable t) {
                acceptError.set(t);
            }
            failed.countDown();
        });
        assertTrue(accepting.await(10, TimeUnit.SECONDS));
        Bundle netpoll = bundle("jgo-netpoll");
        // The runtime drives the bundle's poller through the bridge (NetPollBridge forwards
        // attachDriver), so the poller's own thread stands down while the accept waits. (One may
        // run for a moment if a wait was armed before the runtime first looked at the poller.)
        await(() -> pollerThreads() == 0, "the runtime, not a poller thread, polls for the blocked accept");
        netpoll.stop();
        assertTrue(failed.await(10, TimeUnit.SECONDS), "the goroutine blocked in accept woke");
        assertTrue(acceptError.get() instanceof java.net.SocketException, String.valueOf(acceptError.get()));
        assertTrue(
                acceptError.get().getMessage().contains("jgo-netpoll bundle stopped"),
                acceptError.get().getMessage());
        String listen = rt.run(() -> {
            try {
                Net.listen("127.0.0.1", 0).close();
                return "listened";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        assertTrue(listen.contains("jgo-netpoll bundle is stopped"), listen);
        workload(rt, 2_000);

        netpoll.start();
        await(() -> NetPoller.get().waiters() >= 0 && canListen(rt), "listen after the netpoll bundle restarted");
        assertEquals("ping", rt.run(FelixIntegrationTest::echoOnce));
        await(() -> pollerThreads() == 0, "the runtime drives the restarted bundle's poller too");
        assertSame(rt, runtime(), "the same runtime service throughout");
    }

    private static long pollerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("jgo-netpoll"))
                .count();
    }

    private static boolean canListen(GoRuntime rt) {
        return rt.run(() -> {
            try {
                Net.listen("127.0.0.1", 0).close();
                return true;
            } catch (IllegalStateException e) {
                return false;
            }
        });
    }
}
