package dev.jgo.osgi.internal;

import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One swappable policy of a running runtime and the services that offer it.
 *
 * <h2>Greedy policy selection</h2>
 *
 * <p>Problem: policy services come and go while goroutines run. The runtime must always use the
 * best one on offer (highest {@code service.ranking}, then lowest {@code service.id}, the order of
 * {@code ServiceReference.compareTo}), fall back to the next when it leaves, and to the configured
 * default when none is left.
 *
 * <p>Rejected: a {@code 0..1} greedy reference, where SCR picks the best for us. It does, but the
 * bind-new-then-unbind-old sequence of a swap and a change of ranking ({@code updated}) then have
 * to be told apart in the component; with {@code 0..n} every service is bound and the choice is one
 * ordered map, the same code for every event.
 *
 * <p>Protocol:
 *
 * <ol>
 *   <li>{@link #add}, {@link #update} and {@link #remove} change the ordered map under this
 *       object's monitor and bump {@link #version}.
 *   <li>{@link #apply} reads the best policy and the version under the monitor, installs the policy
 *       outside it (the installer calls into the runtime, which calls the policy: no lock is held
 *       across a policy call), then re-checks the version under the monitor and repeats if another
 *       event slipped in. Two racing events therefore always end with the newest choice installed.
 *   <li>Before {@link #activate} and after {@link #deactivate} events only change the map.
 * </ol>
 *
 * @param <T> the policy interface
 */
final class PolicySlot<T> {
    /** Orders service keys best first. */
    record Key(int ranking, long id) {
        static final Comparator<Key> BEST_FIRST =
                Comparator.comparingInt(Key::ranking).reversed().thenComparingLong(Key::id);

        static Key of(Map<String, ?> props) {
            Object r = props.get("service.ranking");
            Object id = props.get("service.id");
            return new Key(r instanceof Integer i ? i : 0, id instanceof Long l ? l : 0L);
        }
    }

    private final String kind;

    // Guarded by this.
    private final TreeMap<Key, T> bound = new TreeMap<>(Key.BEST_FIRST);
    private long version;
    private T fallback;
    private Predicate<? super T> filter = t -> true;
    private Consumer<T> installer;

    PolicySlot(String kind) {
        this.kind = kind;
    }

    /** Concurrency: any thread (SCR's event threads). */
    void add(T policy, Map<String, ?> props) {
        Objects.requireNonNull(policy, kind);
        synchronized (this) {
            bound.put(Key.of(props), policy);
            version++;
        }
        apply();
    }

    /** A bound service changed its properties (its ranking, say). Concurrency: any thread. */
    void update(T policy, Map<String, ?> props) {
        synchronized (this) {
            bound.values().removeIf(p -> p == policy);
            bound.put(Key.of(props), policy);
            version++;
        }
        apply();
    }

    /** Concurrency: any thread. */
    void remove(T policy, Map<String, ?> props) {
        synchronized (this) {
            if (!bound.remove(Key.of(props), policy)) {
                bound.values().removeIf(p -> p == policy);
            }
            version++;
        }
        apply();
    }

    /** The policy the runtime should use now: the best bound one that passes the filter, else the fallback. */
    synchronized T best() {
        for (T t : bound.values()) {
            if (filter.test(t)) {
                return t;
            }
        }
        return fallback;
    }

    /** Number of bound services. */
    synchronized int size() {
        return bound.size();
    }

    /**
     * Starts installing choices through {@code installer}; returns the current choice, for the
     * runtime's initial configuration. Concurrency: the component's activation.
     */
    T activate(T fallback, Consumer<T> installer) {
        return activate(fallback, installer, t -> true);
    }

    /**
     * As {@link #activate(Object, Consumer)}, choosing only services that pass {@code filter} (a
     * configured name, say); {@code fallback} may be null for a subsystem with no default (the
     * installer then receives null).
     */
    T activate(T fallback, Consumer<T> installer, Predicate<? super T> filter) {
        synchronized (this) {
            this.fallback = fallback;
            this.filter = Objects.requireNonNull(filter, "filter");
            this.installer = installer;
            version++;
            return best();
        }
    }

    /** Stops installing. Concurrency: the component's deactivation. */
    synchronized void deactivate() {
        installer = null;
        version++;
    }

    /** Installs the best choice again (after the runtime came to exist). Concurrency: any thread. */
    void reinstall() {
        apply();
    }

    /** Installs the best choice; see the protocol above. Concurrency: any thread, no lock held. */
    private void apply() {
        for (; ; ) {
            T want;
            Consumer<T> install;
            long v;
            synchronized (this) {
                install = installer;
                if (install == null) {
                    return;
                }
                want = best();
                v = version;
            }
            install.accept(want); // outside the monitor: the runtime calls the policy
            synchronized (this) {
                if (v == version) {
                    return;
                }
            }
        }
    }
}
