package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.prof.JgoRuntimeMXBean;
import dev.jgo.prof.Jmx;
import dev.jgo.profiler.testapp.UserCode;
import dev.jgo.spi.RuntimeView;
import dev.jgo.sync.Chan;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import javax.management.Attribute;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The runtime MXBean, read through the platform MBean server as jconsole would. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JmxTest {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    @Test
    void longRunWarningsAreCounted() throws Exception {
        try (GoRuntime rt = GoRuntime.builder()
                        .name("jmx-longrun")
                        .procs(2)
                        .fairnessPolicy(
                                dev.jgo.spi.FairnessPolicy.of("long-slice", 61, true, true, 600_000_000_000L, 0))
                        .longRunWarning(java.time.Duration.ofMillis(100))
                        .build();
                Jmx.Registration reg = Jmx.register(rt, "longrun")) {
            ObjectName name = reg.objectName();
            assertEquals(0L, SERVER.getAttribute(name, "LongRunWarnings"));
            rt.run(() -> {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
                long x = 0;
                while (System.nanoTime() < end) {
                    x += x * 31 + 7; // no runtime call: a warning after 100 ms
                }
                return x;
            });
            assertEquals(1L, SERVER.getAttribute(name, "LongRunWarnings"));
            assertEquals(
                    1L, JMX.newMXBeanProxy(SERVER, name, JgoRuntimeMXBean.class).getLongRunWarnings());
        }
    }

    @Test
    void attributesThroughThePlatformServer() throws Exception {
        ObjectName name = new ObjectName("dev.jgo:type=Runtime");
        try (GoRuntime rt = GoRuntime.builder().procs(2).build();
                Jmx.Registration reg = Jmx.register(rt)) {
            assertEquals(name, reg.objectName());
            assertTrue(SERVER.isRegistered(name));
            // a goroutine that runs for over 10 ms is preempted by sysmon: a counter that is not 0
            long preempted = rt.run(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (rt.view().sysmon().preemptions() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                return rt.view().sysmon().preemptions();
            });
            assertTrue(preempted > 0, "sysmon preempted the spinning goroutine");
            Chan<Integer> c = Chan.make(0);
            Goroutine[] gs = new Goroutine[5];
            for (int i = 0; i < gs.length; i++) {
                gs[i] = rt.go(() -> UserCode.parkedInDistinctiveReceive(c));
            }
            for (Goroutine g : gs) {
                GoroutineProfileTest.awaitState(g, Goroutine.State.WAITING);
            }

            assertEquals(2, SERVER.getAttribute(name, "Gomaxprocs"));
            assertEquals(5, SERVER.getAttribute(name, "Goroutines"));
            assertTrue(((String) SERVER.getAttribute(name, "Runtime")).contains("gomaxprocs=2"));
            assertTrue((Integer) SERVER.getAttribute(name, "Threads") >= 1);
            CompositeData counters = (CompositeData) SERVER.getAttribute(name, "Counters");
            assertTrue((Long) counters.get("goroutinesCreated") >= 5, counters.toString());
            assertTrue((Long) counters.get("schedticks") >= 5, counters.toString());
            assertTrue(counters.containsKey("steals") && counters.containsKey("MParks"), counters.toString());
            assertTrue(counters.containsKey("MWakeups") && counters.containsKey("spinRounds"), counters.toString());
            // each counter is the runtime's own (read before and after: the runtime is idle, but
            // sysmon and the parked goroutines' Ms may still move them)
            RuntimeView.Counters c0 = rt.view().counters();
            RuntimeView.SysmonCounters s0 = rt.view().sysmon();
            counters = (CompositeData) SERVER.getAttribute(name, "Counters");
            CompositeData sysmon = (CompositeData) SERVER.getAttribute(name, "Sysmon");
            long steals = (Long) SERVER.getAttribute(name, "Steals");
            RuntimeView.Counters c1 = rt.view().counters();
            RuntimeView.SysmonCounters s1 = rt.view().sysmon();
            assertBetween(c0.mWakeups(), (Long) counters.get("MWakeups"), c1.mWakeups(), "MWakeups");
            assertBetween(c0.steals(), steals, c1.steals(), "Steals");
            assertBetween(s0.retakes(), (Long) sysmon.get("retakes"), s1.retakes(), "retakes");
            assertBetween(s0.preemptions(), (Long) sysmon.get("preemptions"), s1.preemptions(), "preemptions");
            assertBetween(s0.autoHandoffs(), (Long) sysmon.get("autoHandoffs"), s1.autoHandoffs(), "autoHandoffs");
            assertBetween(
                    s0.overdueTimerWakes(),
                    (Long) sysmon.get("overdueTimerWakes"),
                    s1.overdueTimerWakes(),
                    "overdueTimerWakes");
            assertTrue((Long) sysmon.get("preemptions") >= preempted, sysmon.toString());
            CompositeData[] procs = (CompositeData[]) SERVER.getAttribute(name, "Procs");
            assertEquals(2, procs.length);
            long perP = 0;
            for (int i = 0; i < procs.length; i++) {
                assertEquals(i, procs[i].get("id"));
                perP += (Long) ((CompositeData) procs[i].get("counters")).get("schedticks");
            }
            assertEquals(perP, (Long) counters.get("schedticks"), "summed schedticks = sum over Ps");
            String st = (String)
                    SERVER.invoke(name, "schedtrace", new Object[] {true}, new String[] {boolean.class.getName()});
            assertTrue(st.startsWith("SCHED ") && st.contains("  P1: "), st);

            // a typed proxy, as a JMX client holding jgo-api would use
            JgoRuntimeMXBean proxy = JMX.newMXBeanProxy(SERVER, name, JgoRuntimeMXBean.class);
            assertEquals(2, proxy.getProcs().length);
            assertTrue(proxy.getCounters().getGoroutinesCreated() >= 5);
            assertTrue(proxy.getCounters().getMWakeups() >= (Long) counters.get("MWakeups"), "counters only grow");
            assertTrue(proxy.getCounters().getSpinRounds() >= (Long) counters.get("spinRounds"), "counters only grow");

            // writing an invalid GOMAXPROCS is refused with the reason
            RuntimeMBeanException e = assertThrows(
                    RuntimeMBeanException.class, () -> SERVER.setAttribute(name, new Attribute("Gomaxprocs", 0)));
            assertTrue(e.getCause() instanceof IllegalArgumentException, e.toString());
            assertTrue(
                    e.getCause().getMessage().contains("Gomaxprocs must be >= 1"),
                    e.getCause().getMessage());
            assertEquals(2, rt.gomaxprocs());
            c.close();
        }
        assertFalse(SERVER.isRegistered(name), "unregistered when the runtime closed");
    }

    @Test
    void secondRuntimeGetsANameKeyAndClosingUnregisters() throws Exception {
        try (GoRuntime a = GoRuntime.builder().procs(1).build();
                GoRuntime b = GoRuntime.builder().procs(1).build()) {
            Jmx.Registration ra = Jmx.register(a);
            Jmx.Registration rb = Jmx.register(b);
            assertEquals(new ObjectName("dev.jgo:type=Runtime"), ra.objectName());
            assertEquals(new ObjectName("dev.jgo:type=Runtime,name=2"), rb.objectName());
            assertTrue(SERVER.isRegistered(rb.objectName()));
            ra.close();
            ra.close(); // idempotent
            assertFalse(SERVER.isRegistered(ra.objectName()));
            Jmx.Registration rc = Jmx.register(a); // the default name is free again
            assertEquals(new ObjectName("dev.jgo:type=Runtime"), rc.objectName());

            Jmx.Registration named = Jmx.register(b, "web,front");
            assertEquals("web,front", ObjectName.unquote(named.objectName().getKeyProperty("name")));
            assertTrue(SERVER.isRegistered(named.objectName()));
            IllegalArgumentException dup =
                    assertThrows(IllegalArgumentException.class, () -> Jmx.register(a, "web,front"));
            assertTrue(dup.getMessage().contains("already registered"), dup.getMessage());

            b.close(); // closing the runtime unregisters both of its beans
            assertFalse(SERVER.isRegistered(rb.objectName()));
            assertFalse(SERVER.isRegistered(named.objectName()));
            assertTrue(SERVER.isRegistered(rc.objectName()));
            rc.close();
        }
        assertTrue(SERVER.queryNames(new ObjectName("dev.jgo:type=Runtime,*"), null)
                .isEmpty());
    }

    @Test
    void badInput() throws Exception {
        GoRuntime rt = GoRuntime.builder().procs(1).build();
        rt.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> Jmx.register(rt));
        assertTrue(closed.getMessage().contains("closed runtime"), closed.getMessage());
        try (GoRuntime live = GoRuntime.builder().procs(1).build()) {
            assertThrows(IllegalArgumentException.class, () -> Jmx.register(live, ""));
            assertThrows(NullPointerException.class, () -> Jmx.register(null));
        }
    }

    @Test
    void setGomaxprocsThroughTheBean() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build();
                Jmx.Registration reg = Jmx.register(rt)) {
            SERVER.setAttribute(reg.objectName(), new Attribute("Gomaxprocs", 3));
            assertEquals(3, rt.gomaxprocs());
            assertEquals(3, SERVER.getAttribute(reg.objectName(), "Gomaxprocs"));
            assertEquals(3, ((CompositeData[]) SERVER.getAttribute(reg.objectName(), "Procs")).length);
            SERVER.setAttribute(reg.objectName(), new Attribute("Gomaxprocs", 1));
            assertEquals(1, rt.gomaxprocs());
            assertArrayEquals(new int[] {1}, new int[] {(Integer) SERVER.getAttribute(reg.objectName(), "Gomaxprocs")});
        }
    }

    private static void assertBetween(long low, long value, long high, String what) {
        assertTrue(
                low <= value && value <= high,
                what + " " + value + " outside the runtime's [" + low + ", " + high + "]");
    }
}
