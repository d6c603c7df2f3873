package dev.jgo.bench;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The workloads, in four groups: {@code sched} (the scheduler suite, what {@code bench} runs with
 * no {@code --workload}), {@code chan} (channels, select and Mutex; issue 3's benchmarks), {@code
 * mem} (the memory a parked goroutine costs) and {@code vthreads} (JDK virtual threads on jgo's
 * scheduler against the JDK's; issue 22).
 */
public final class Workloads {
    private Workloads() {}

    /** The group of scheduler workloads: spawning, joining, yielding. The default suite. */
    public static final String SCHED = "sched";

    /** The group of channel, select and mutex workloads. */
    public static final String CHAN = "chan";

    /** The group of memory workloads. */
    public static final String MEM = "mem";

    /** The group of JDK virtual-thread workloads: jgo's scheduler against the JDK's. */
    public static final String VTHREADS = "vthreads";

    /** The scheduler suite, sized for {@code procs} processors where the shape depends on it. */
    public static List<Workload> all(int procs) {
        return List.of(
                new Skynet(),
                new SpawnMany(),
                new SpawnManyOutside(),
                new YieldMany(2 * procs),
                new ChainedSpawn(),
                new Sleepers(procs),
                new ShortSleeps(),
                new PingPongHog(),
                new Starve(procs));
    }

    /** The memory group: bytes per parked goroutine. */
    public static List<Workload> memory() {
        return List.of(new ParkedMemory());
    }

    /**
     * The channel group: ping-pong, buffered producer/consumer, select over 4 channels, Mutex, and
     * skynet in Go's channel form.
     */
    public static List<Workload> channels() {
        return List.of(new PingPong(), new ProdCons(), new Select4(), new MutexContended(), new SkynetChan());
    }

    /**
     * The virtual-thread group: the same blocking Java code (ping-pong, skynet, an HTTP hello on
     * ServerSocket with its client) on JDK virtual threads, scheduled by jgo ({@code GoRuntime.virtualThreadBuilder()}, peer jgo) and by the JDK (peer vt).
     */
    public static List<Workload> virtualThreads() {
        return List.of(new VtPingPong(), new VtSkynet(), new VtHttpHello());
    }

    /** Every workload of every group. */
    public static List<Workload> every(int procs) {
        return Stream.of(all(procs), channels(), memory(), virtualThreads())
                .flatMap(List::stream)
                .toList();
    }

    /** The names of the scheduler suite (the default). */
    public static List<String> names() {
        return all(1).stream().map(Workload::name).toList();
    }

    /** The names of every workload. */
    public static List<String> allNames() {
        return every(1).stream().map(Workload::name).toList();
    }

    /** The workload names of group {@code group} ({@link #SCHED}, {@link #CHAN}, {@link #MEM}), if it is one. */
    public static Optional<List<String>> group(String group) {
        return switch (group) {
            case SCHED -> Optional.of(names());
            case CHAN -> Optional.of(channels().stream().map(Workload::name).toList());
            case MEM -> Optional.of(memory().stream().map(Workload::name).toList());
            case VTHREADS ->
                Optional.of(virtualThreads().stream().map(Workload::name).toList());
            default -> Optional.empty();
        };
    }

    /** The workload called {@code name}, if any. */
    public static Optional<Workload> byName(String name, int procs) {
        return every(procs).stream().filter(w -> w.name().equals(name)).findFirst();
    }
}
