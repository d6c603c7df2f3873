package dev.jgo.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import dev.jgo.GoRuntime;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.PolicyControl;
import dev.jgo.spi.RuntimeProvider;
import dev.jgo.spi.SpinPolicy;
import dev.jgo.spi.StealPolicy;
import dev.jgo.spi.TimerQueueFactory;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Binds a {@link GoRuntime} singleton (also as {@link PolicyControl}) built from overridable
 * defaults.
 *
 * <p>Each input is an {@link OptionalBinder} default, so an application overrides any of them
 * with {@code setBinding()} in its own module, or replaces bindings with {@code
 * Modules.override(new JgoModule()).with(...)}:
 *
 * <table>
 *   <caption>Bindings</caption>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>{@link StealPolicy}</td><td>{@link StealPolicy#go()}</td></tr>
 *   <tr><td>{@link SpinPolicy}</td><td>{@link SpinPolicy#go()}</td></tr>
 *   <tr><td>{@link FairnessPolicy}</td><td>{@link FairnessPolicy#go()}</td></tr>
 *   <tr><td>{@code @}{@link JgoProcs} {@code Integer}</td><td>available processors</td></tr>
 *   <tr><td>{@link RuntimeProvider}</td><td>none: {@link java.util.ServiceLoader} finds jgo-core</td></tr>
 *   <tr><td>{@link TimerQueueFactory}</td><td>none: {@link java.util.ServiceLoader} finds jgo-timer</td></tr>
 *
 * </table>
 *
 * <pre>{@code
 * try (JgoModule jgo = new JgoModule()) {
 *     Injector injector = Guice.createInjector(jgo, new AbstractModule() {
 *         protected void configure() {
 *             OptionalBinder.newOptionalBinder(binder(), StealPolicy.class)
 *                     .setBinding().toInstance(StealPolicy.tokio());
 *         }
 *     });
 *     injector.getInstance(GoRuntime.class).run(() -> ...);
 * } // closes the runtime
 * }</pre>
 *
 * <p>The artifact {@code jgo-guice} brings jgo-core, jgo-timer, jgo-netpoll and jgo-safepoint, so
 * the runtime has timers ({@code dev.jgo.time}) and goroutine-friendly network I/O ({@code
 * dev.jgo.net}); the network poller serves the whole JVM and is found with {@link
 * java.util.ServiceLoader}, so it has no binding here.
 *
 * <p>Closing: Guice has no lifecycle, so the injector's owner closes the runtime. The module
 * records each runtime it builds (one per injector: the binding is a singleton) and {@link
 * #close()} closes them; an application that prefers to can call {@code
 * injector.getInstance(GoRuntime.class).close()} itself.
 */
public final class JgoModule extends AbstractModule implements AutoCloseable {
    private final List<GoRuntime> built = new CopyOnWriteArrayList<>();

    /** A module with jgo's defaults. */
    public JgoModule() {}

    @Override
    protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), StealPolicy.class)
                .setDefault()
                .toInstance(StealPolicy.go());
        OptionalBinder.newOptionalBinder(binder(), SpinPolicy.class)
                .setDefault()
                .toInstance(SpinPolicy.go());
        OptionalBinder.newOptionalBinder(binder(), FairnessPolicy.class)
                .setDefault()
                .toInstance(FairnessPolicy.go());
        OptionalBinder.newOptionalBinder(binder(), Key.get(Integer.class, JgoProcs.class))
                .setDefault()
                .toInstance(dev.jgo.spi.RuntimeConfig.defaultProcs());
        OptionalBinder.newOptionalBinder(binder(), RuntimeProvider.class);
        OptionalBinder.newOptionalBinder(binder(), TimerQueueFactory.class);
    }

    @Provides
    @Singleton
    GoRuntime goRuntime(
            StealPolicy steal,
            SpinPolicy spin,
            FairnessPolicy fairness,
            @JgoProcs Integer procs,
            Optional<RuntimeProvider> provider,
            Optional<TimerQueueFactory> timers) {
        GoRuntime.Builder b = GoRuntime.builder()
                .name("jgo-guice")
                .procs(procs)
                .stealPolicy(steal)
                .spinPolicy(spin)
                .fairnessPolicy(fairness);
        provider.ifPresent(b::provider);
        timers.ifPresent(b::timerQueueFactory);
        GoRuntime rt = b.build();
        built.add(rt);
        return rt;
    }

    @Provides
    @Singleton
    PolicyControl policyControl(GoRuntime rt) {
        if (rt instanceof PolicyControl pc) {
            return pc;
        }
        throw new IllegalStateException(rt.getClass().getName() + " does not implement dev.jgo.spi.PolicyControl");
    }

    /** Closes every runtime this module built. Idempotent. */
    @Override
    public void close() {
        for (GoRuntime rt : built) {
            rt.close();
        }
        built.clear();
    }
}
