package dev.jgo.bench;

import java.util.List;
import java.util.Optional;

/** The workload suite, in the order the runner runs it. */
public final class Workloads {
    private Workloads() {}

    /** Every workload, sized for {@code procs} processors where the shape depends on it. */
    public static List<Workload> all(int procs) {
        return List.of(
                new Skynet(),
                new SpawnMany(),
                new SpawnManyOutside(),
                new YieldMany(2 * procs),
                new ChainedSpawn(),
                new Sleepers(procs));
    }

    /** The names of every workload. */
    public static List<String> names() {
        return all(1).stream().map(Workload::name).toList();
    }

    /** The workload called {@code name}, if any. */
    public static Optional<Workload> byName(String name, int procs) {
        return all(procs).stream().filter(w -> w.name().equals(name)).findFirst();
    }
}
