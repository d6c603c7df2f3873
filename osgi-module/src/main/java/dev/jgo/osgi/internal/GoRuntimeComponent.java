package dev.jgo.osgi.internal;

import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.NetPoller;
import dev.jgo.spi.PolicyControl;
import dev.jgo.spi.RuntimeProvider;
import dev.jgo.spi.RuntimeView;
import dev.jgo.spi.SpinPolicy;
import dev.jgo.spi.StealPolicy;
import dev.jgo.spi.TimerQueueFactory;
import java.util.Map;
import java.util.concurrent.Callable;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@link GoRuntime} service (also registered as {@link PolicyControl}): a runtime built by the
 * {@link RuntimeProvider} service (jgo-core's) from {@link RuntimeSettings}, whose policies follow
 * the best-ranked {@link StealPolicy}, {@link SpinPolicy} and {@link FairnessPolicy} services (see
 * {@link PolicySlot}'s note "Greedy policy selection"). A policy that throws is handled by the
 * core's guard: reported once, Go's default decides in its place.
 *
 * <p>The runtime belongs to the component: it is created on activation and closed on deactivation
 * (bundle stop, configuration change, provider gone). {@link #close()} on the service is therefore
 * a no-op; {@link PolicyControl}'s setters work, but the next policy service event overrides them.
 *
 * <p>Subsystems from other bundles: the runtime's timer queues are a {@link TimerBridge} to the
 * best-ranked {@link TimerQueueFactory} service (or the one the {@code timers} setting names), and
 * {@code dev.jgo.net} uses a {@link NetPollBridge} to the {@link NetPoller} service, installed with
 * {@link NetPoller#install}. Both references are dynamic: stopping the timer or netpoll bundle makes
 * the calls that need it throw {@link IllegalStateException} (see the note "Timer bundle stop and
 * restart"); starting it again restores them, in the same runtime.
 *
 * <p>Thin: settings parsing, policy selection and the bridges live in {@link RuntimeSettings},
 * {@link PolicySlot}, {@link TimerBridge} and {@link NetPollBridge}.
 */
@Component(
        name = RuntimeSettings.PID,
        service = {GoRuntime.class, PolicyControl.class},
        configurationPid = RuntimeSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true)
public final class GoRuntimeComponent implements GoRuntime, PolicyControl {
    private final PolicySlot<StealPolicy> steal = new PolicySlot<>("stealPolicy");
    private final PolicySlot<SpinPolicy> spin = new PolicySlot<>("spinPolicy");
    private final PolicySlot<FairnessPolicy> fairness = new PolicySlot<>("fairnessPolicy");
    private final PolicySlot<TimerQueueFactory> timers = new PolicySlot<>("timerQueueFactory");
    private final PolicySlot<NetPoller> netpoll = new PolicySlot<>("netPoller");
    private final NetPollBridge netBridge = new NetPollBridge();

    @Reference
    private RuntimeProvider provider;

    /** Drops installs that arrive before the runtime exists; activate() reinstalls after. */
    private static final PolicyControl NOT_YET = new PolicyControl() {
        @Override
        public StealPolicy stealPolicy() {
            return null;
        }

        @Override
        public SpinPolicy spinPolicy() {
            return null;
        }

        @Override
        public FairnessPolicy fairnessPolicy() {
            return null;
        }

        @Override
        public StealPolicy stealPolicy(StealPolicy p) {
            return null;
        }

        @Override
        public SpinPolicy spinPolicy(SpinPolicy p) {
            return null;
        }

        @Override
        public FairnessPolicy fairnessPolicy(FairnessPolicy p) {
            return null;
        }
    };

    private volatile GoRuntime runtime; // written on activation, read by any service caller
    private volatile PolicyControl control;

    @Activate
    void activate(BundleContext ctx, Map<String, Object> config) {
        RuntimeSettings s = RuntimeSettings.from(config, ctx::getProperty);
        TimerBridge tb = new TimerBridge();
        tb.use(timers.activate(
                null, tb::use, f -> s.timers() == null || s.timers().equals(f.name())));
        netBridge.use(netpoll.activate(null, netBridge::use));
        NetPoller.install(netBridge);
        GoRuntime rt;
        try {
            rt = s.builder(
                            steal.activate(s.stealPolicy(), p -> installed().stealPolicy(p)),
                            spin.activate(s.spinPolicy(), p -> installed().spinPolicy(p)),
                            fairness.activate(
                                    s.fairnessPolicy(), p -> installed().fairnessPolicy(p)))
                    .provider(provider)
                    .timerQueueFactory(tb)
                    .build();
        } catch (RuntimeException | Error e) {
            deactivate(); // SCR calls no deactivate after a failed activate
            throw e;
        }
        if (!(rt instanceof PolicyControl pc)) {
            rt.close();
            deactivate();
            throw new IllegalStateException("runtime provider "
                    + provider.getClass().getName() + " builds runtimes without dev.jgo.spi.PolicyControl");
        }
        control = pc;
        runtime = rt;
        // Policies bound while the runtime was being built were recorded but not installed.
        steal.reinstall();
        spin.reinstall();
        fairness.reinstall();
    }

    /** The runtime's control, or a sink while the runtime is being built. */
    private PolicyControl installed() {
        PolicyControl c = control;
        return c != null ? c : NOT_YET;
    }

    @Deactivate
    void deactivate() {
        steal.deactivate();
        spin.deactivate();
        fairness.deactivate();
        timers.deactivate();
        netpoll.deactivate();
        NetPoller.uninstall(netBridge);
        GoRuntime rt = runtime;
        if (rt != null) {
            rt.close();
        }
    }

    // ---- policy references: dynamic, greedy, every service bound ----

    @Reference(
            service = StealPolicy.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeStealPolicy",
            updated = "updateStealPolicy")
    void addStealPolicy(StealPolicy p, Map<String, Object> props) {
        steal.add(p, props);
    }

    void updateStealPolicy(StealPolicy p, Map<String, Object> props) {
        steal.update(p, props);
    }

    void removeStealPolicy(StealPolicy p, Map<String, Object> props) {
        steal.remove(p, props);
    }

    @Reference(
            service = SpinPolicy.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeSpinPolicy",
            updated = "updateSpinPolicy")
    void addSpinPolicy(SpinPolicy p, Map<String, Object> props) {
        spin.add(p, props);
    }

    void updateSpinPolicy(SpinPolicy p, Map<String, Object> props) {
        spin.update(p, props);
    }

    void removeSpinPolicy(SpinPolicy p, Map<String, Object> props) {
        spin.remove(p, props);
    }

    @Reference(
            service = FairnessPolicy.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeFairnessPolicy",
            updated = "updateFairnessPolicy")
    void addFairnessPolicy(FairnessPolicy p, Map<String, Object> props) {
        fairness.add(p, props);
    }

    void updateFairnessPolicy(FairnessPolicy p, Map<String, Object> props) {
        fairness.update(p, props);
    }

    void removeFairnessPolicy(FairnessPolicy p, Map<String, Object> props) {
        fairness.remove(p, props);
    }

    // ---- subsystems: dynamic, greedy; a bridge hands the bound one to the runtime ----

    @Reference(
            service = TimerQueueFactory.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeTimerQueueFactory",
            updated = "updateTimerQueueFactory")
    void addTimerQueueFactory(TimerQueueFactory f, Map<String, Object> props) {
        timers.add(f, props);
    }

    void updateTimerQueueFactory(TimerQueueFactory f, Map<String, Object> props) {
        timers.update(f, props);
    }

    void removeTimerQueueFactory(TimerQueueFactory f, Map<String, Object> props) {
        timers.remove(f, props);
    }

    @Reference(
            service = NetPoller.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeNetPoller",
            updated = "updateNetPoller")
    void addNetPoller(NetPoller p, Map<String, Object> props) {
        netpoll.add(p, props);
    }

    void updateNetPoller(NetPoller p, Map<String, Object> props) {
        netpoll.update(p, props);
    }

    void removeNetPoller(NetPoller p, Map<String, Object> props) {
        netpoll.remove(p, props);
    }

    // ---- GoRuntime: delegation ----

    @Override
    public <T> T run(Callable<T> main) {
        return runtime.run(main);
    }

    @Override
    public Goroutine go(Runnable fn) {
        return runtime.go(fn);
    }

    @Override
    public int gomaxprocs() {
        return runtime.gomaxprocs();
    }

    @Override
    public int gomaxprocs(int n) {
        return runtime.gomaxprocs(n);
    }

    @Override
    public int numGoroutine() {
        return runtime.numGoroutine();
    }

    @Override
    public RuntimeView view() {
        return runtime.view();
    }

    @Override
    public Thread.Builder.OfVirtual virtualThreadBuilder() {
        return runtime.virtualThreadBuilder();
    }

    @Override
    public java.util.concurrent.ExecutorService newVirtualThreadPerTaskExecutor() {
        return runtime.newVirtualThreadPerTaskExecutor();
    }

    /** No-op: the component owns the runtime and closes it on deactivation. */
    @Override
    public void close() {}

    // ---- PolicyControl: delegation ----

    @Override
    public StealPolicy stealPolicy() {
        return control.stealPolicy();
    }

    @Override
    public SpinPolicy spinPolicy() {
        return control.spinPolicy();
    }

    @Override
    public FairnessPolicy fairnessPolicy() {
        return control.fairnessPolicy();
    }

    @Override
    public StealPolicy stealPolicy(StealPolicy p) {
        return control.stealPolicy(p);
    }

    @Override
    public SpinPolicy spinPolicy(SpinPolicy p) {
        return control.spinPolicy(p);
    }

    @Override
    public FairnessPolicy fairnessPolicy(FairnessPolicy p) {
        return control.fairnessPolicy(p);
    }

    @Override
    public String toString() {
        return String.valueOf(runtime);
    }
}
