package dev.jgo.spi;

import dev.jgo.GoRuntime;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The live runtimes of this class loader, for process-wide tools that take no runtime argument
 * ({@code dev.jgo.prof.Pprof}, {@code dev.jgo.prof.Trace}): Go has one runtime per process, jgo
 * may have several, and those tools cover all of them. {@link GoRuntime.Builder#build()}
 * registers; a runtime unregisters itself when closed, so one that is never closed stays
 * registered (and reachable) for the life of the class loader.
 */
public final class RuntimeRegistry {

    /** Told about runtimes registered and unregistered. Called on the registering thread; must not block. */
    public interface Listener {
        void added(GoRuntime rt);

        void removed(GoRuntime rt);

        /**
         * {@code rt}'s {@code run} is about to throw {@code e}: told by {@link #deadlocked} on
         * the thread that called {@code run}, once per such call (one deadlock fails every
         * pending {@code run} with the same exception), never on a scheduler thread, so it may
         * take its time (a flight recorder writes its window).
         */
        default void deadlocked(GoRuntime rt, dev.jgo.DeadlockException e) {}
    }

    private static final CopyOnWriteArrayList<GoRuntime> LIVE = new CopyOnWriteArrayList<>();
    private static final CopyOnWriteArrayList<Listener> LISTENERS = new CopyOnWriteArrayList<>();

    private RuntimeRegistry() {}

    /** Records a started runtime. Concurrency: any thread. */
    public static void register(GoRuntime rt) {
        Objects.requireNonNull(rt, "rt");
        if (LIVE.addIfAbsent(rt)) {
            for (Listener l : LISTENERS) {
                l.added(rt);
            }
        }
    }

    /** Forgets a closed runtime. Concurrency: any thread. */
    public static void unregister(GoRuntime rt) {
        if (LIVE.remove(rt)) {
            for (Listener l : LISTENERS) {
                l.removed(rt);
            }
        }
    }

    /**
     * Tells the listeners that {@code rt}'s {@code run} is about to throw {@code e}; a listener
     * that throws is skipped. Concurrency: the thread that called {@code run}.
     */
    public static void deadlocked(GoRuntime rt, dev.jgo.DeadlockException e) {
        for (Listener l : LISTENERS) {
            try {
                l.deadlocked(rt, e);
            } catch (RuntimeException ex) {
                e.addSuppressed(ex);
            }
        }
    }

    /** The runtimes registered and not closed, oldest first. */
    public static List<GoRuntime> live() {
        return List.copyOf(LIVE);
    }

    /** Adds a listener; it is not told about runtimes already live (read {@link #live()} after). */
    public static void addListener(Listener l) {
        LISTENERS.add(Objects.requireNonNull(l, "listener"));
    }

    public static void removeListener(Listener l) {
        LISTENERS.remove(l);
    }
}
