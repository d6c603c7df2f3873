package dev.jgo.prof;

import dev.jgo.GoRuntime;
import java.util.Objects;
import javax.management.ObjectName;

/**
 * Registers a runtime's {@link JgoRuntimeMXBean} with the platform MBean server ({@code
 * ManagementFactory.getPlatformMBeanServer()}), for jconsole, VisualVM and JMX clients.
 *
 * <p>Names: {@link #register(GoRuntime)} uses {@code dev.jgo:type=Runtime} when no runtime holds
 * that name, otherwise {@code dev.jgo:type=Runtime,name=N} with N = 2, 3, ... (the lowest free).
 * {@link #register(GoRuntime, String)} chooses the {@code name} key. The bean is unregistered by
 * {@link Registration#close()} or when the runtime is closed, whichever comes first.
 *
 * <p>Every method throws {@link IllegalStateException} when no profiler module is on the class
 * path.
 */
public final class Jmx {
    private Jmx() {}

    /** The bean's registration; closing unregisters it (idempotent). */
    public interface Registration extends AutoCloseable {
        /** The name it is registered under. */
        ObjectName objectName();

        @Override
        void close();
    }

    /**
     * Registers {@code rt}'s MXBean under {@code dev.jgo:type=Runtime} (or with a {@code name} key,
     * see the class comment).
     *
     * @throws IllegalStateException if {@code rt} is closed
     */
    public static Registration register(GoRuntime rt) {
        Objects.requireNonNull(rt, "rt");
        return Profilers.get().registerMBean(rt, null);
    }

    /**
     * Registers {@code rt}'s MXBean under {@code dev.jgo:type=Runtime,name=<name>}.
     *
     * @throws IllegalArgumentException if {@code name} is empty or that name is taken
     * @throws IllegalStateException if {@code rt} is closed
     */
    public static Registration register(GoRuntime rt, String name) {
        Objects.requireNonNull(rt, "rt");
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("MBean name key must not be empty");
        }
        return Profilers.get().registerMBean(rt, name);
    }
}
