package dev.jgo.profiler.internal;

import dev.jgo.GoRuntime;
import dev.jgo.prof.JgoRuntimeMXBean;
import dev.jgo.prof.Jmx;
import dev.jgo.spi.RuntimeRegistry;
import dev.jgo.spi.RuntimeView;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The {@link JgoRuntimeMXBean} of one runtime and its registration with the platform MBean
 * server. Every getter reads {@link RuntimeView}: published counters and queue sizes, never the
 * scheduler's own fields.
 *
 * <p>Registrations are tracked per runtime so that closing the runtime (its {@link
 * RuntimeRegistry} removal) unregisters its beans. Concurrency: any thread.
 */
final class RuntimeMBean implements JgoRuntimeMXBean {
    static final String DOMAIN = "dev.jgo";

    /** Live registrations, per runtime. */
    private static final Map<GoRuntime, Map<ObjectName, Reg>> REGS = new ConcurrentHashMap<>();

    private static final RuntimeRegistry.Listener ON_CLOSE = new RuntimeRegistry.Listener() {
        @Override
        public void added(GoRuntime rt) {}

        @Override
        public void removed(GoRuntime rt) {
            Map<ObjectName, Reg> regs = REGS.remove(rt);
            if (regs != null) {
                regs.values().forEach(Reg::close);
            }
        }
    };

    static {
        RuntimeRegistry.addListener(ON_CLOSE);
    }

    private final GoRuntime rt;

    RuntimeMBean(GoRuntime rt) {
        this.rt = rt;
    }

    private RuntimeView view() {
        return rt.view();
    }

    @Override
    public String getRuntime() {
        return rt.toString();
    }

    @Override
    public int getGomaxprocs() {
        return rt.gomaxprocs();
    }

    @Override
    public void setGomaxprocs(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("Gomaxprocs must be >= 1, got " + n);
        }
        rt.gomaxprocs(n);
    }

    @Override
    public int getGoroutines() {
        return view().numGoroutine();
    }

    @Override
    public int getThreads() {
        return view().threads();
    }

    @Override
    public int getIdleThreads() {
        return view().idleThreads();
    }

    @Override
    public int getIdleProcs() {
        return view().idleProcs();
    }

    @Override
    public int getSpinningThreads() {
        return view().spinningThreads();
    }

    @Override
    public int getGlobalRunqSize() {
        return view().globalRunqSize();
    }

    @Override
    public SchedCounters getCounters() {
        return SchedCounters.of(view().counters());
    }

    @Override
    public long getSteals() {
        return view().counters().steals();
    }

    @Override
    public long getStolenGoroutines() {
        return view().counters().stolenGoroutines();
    }

    @Override
    public ProcStats[] getProcs() {
        RuntimeView v = view();
        int n = v.gomaxprocs();
        ProcStats[] ps = new ProcStats[n];
        for (int i = 0; i < n; i++) {
            ps[i] = new ProcStats(i, v.localRunqSize(i), SchedCounters.of(v.counters(i)));
        }
        return ps;
    }

    @Override
    public SysmonStats getSysmon() {
        RuntimeView.SysmonCounters s = view().sysmon();
        return new SysmonStats(s.retakes(), s.preemptions(), s.autoHandoffs(), s.overdueTimerWakes());
    }

    @Override
    public long getLongRunWarnings() {
        return view().sysmon().longRunWarnings();
    }

    @Override
    public String schedtrace(boolean detailed) {
        return view().schedtrace(detailed);
    }

    // ---- registration ----

    /** One registered bean; closing unregisters it once. */
    private record Reg(GoRuntime rt, ObjectName objectName) implements Jmx.Registration {
        @Override
        public void close() {
            Map<ObjectName, Reg> regs = REGS.get(rt);
            if (regs != null) {
                regs.remove(objectName);
            }
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
            } catch (InstanceNotFoundException e) {
                // already unregistered: close is idempotent
            } catch (JMException e) {
                throw new IllegalStateException("unregistering " + objectName + " failed: " + e, e);
            }
        }
    }

    /**
     * Registers {@code rt}'s bean: under {@code name} (the {@code name} key) when given, else under
     * {@code dev.jgo:type=Runtime} or the lowest free {@code name=2, 3, ...}.
     */
    static synchronized Jmx.Registration register(GoRuntime rt, String name) {
        if (!RuntimeRegistry.live().contains(rt)) {
            throw new IllegalStateException("cannot register an MBean for a closed runtime: " + rt);
        }
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        RuntimeMBean bean = new RuntimeMBean(rt);
        ObjectName on;
        if (name != null) {
            on = objectName(name);
            try {
                server.registerMBean(bean, on);
            } catch (InstanceAlreadyExistsException e) {
                throw new IllegalArgumentException("an MBean named " + on + " is already registered", e);
            } catch (JMException e) {
                throw new IllegalStateException("registering " + on + " failed: " + e, e);
            }
        } else {
            for (int k = 1; ; k++) {
                on = objectName(k == 1 ? null : Integer.toString(k));
                try {
                    server.registerMBean(bean, on);
                    break;
                } catch (InstanceAlreadyExistsException e) {
                    // taken by another runtime: try the next name
                } catch (JMException e) {
                    throw new IllegalStateException("registering " + on + " failed: " + e, e);
                }
            }
        }
        Reg r = new Reg(rt, on);
        REGS.computeIfAbsent(rt, k -> new ConcurrentHashMap<>()).put(on, r);
        if (!RuntimeRegistry.live().contains(rt)) {
            ON_CLOSE.removed(rt); // closed while registering: the listener may have run before put
        }
        return r;
    }

    /** {@code dev.jgo:type=Runtime} or {@code dev.jgo:type=Runtime,name=<name>} (quoted if needed). */
    static ObjectName objectName(String name) {
        String s = DOMAIN + ":type=Runtime";
        if (name != null) {
            boolean plain = name.chars().noneMatch(c -> ",=:\"*?\n\\".indexOf(c) >= 0);
            s += ",name=" + (plain ? name : ObjectName.quote(name));
        }
        try {
            return new ObjectName(s);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("invalid MBean name key: " + name, e);
        }
    }
}
