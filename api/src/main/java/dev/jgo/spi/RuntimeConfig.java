package dev.jgo.spi;

import dev.jgo.Goroutine;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Everything a {@link RuntimeProvider} needs to build a runtime, validated on construction.
 *
 * @param name thread-name prefix of the runtime's carriers
 * @param procs GOMAXPROCS, from 1 to {@link #MAX_PROCS}
 * @param maxThreads the most Ms (carrier threads) the runtime may create (Go's default 10000),
 *     from {@code procs + 1} to {@link #MAX_THREADS}
 * @param stealPolicy victim order, rounds and {@code runnext} stealing
 * @param spinPolicy when an M may spin looking for work
 * @param fairnessPolicy global-queue interval, {@code runnext}, time slice, operation budget
 * @param events scheduler event listener, or null for none
 * @param uncaughtHandler called when a goroutine other than a main one throws; null selects Go's
 *     behaviour (print the stack, end the runtime, fail pending {@code run} calls)
 * @param randomizeScheduler shuffle run-queue choices to shake out ordering assumptions (as Go
 *     does under the race detector)
 * @param autoHandoffNanos when positive, sysmon hands the P of a carrier blocked this long inside
 *     goroutine code (an unannotated blocking JDK call) to another carrier; 0 turns this off, and
 *     then the runtime calls pay nothing for it
 * @param timerFactory the per-P timer queues' factory, or null to find one with {@link
 *     java.util.ServiceLoader} (the {@value TimerQueueFactory#PROPERTY} property, else the highest
 *     priority); a container passes the factory its registry gave it
 * @param virtualTime whether the runtime's clock is virtual (see {@link
 *     dev.jgo.GoRuntime.Builder#virtualTime})
 * @param seed the seed of every random scheduling choice, or null to draw them from unseeded
 *     sources (see {@link dev.jgo.GoRuntime.Builder#seed})
 * @param longRunWarningNanos when positive, sysmon reports a goroutine that keeps its P this long
 *     without reaching a preemption point ({@code Builder.longRunWarning}); 0 turns it off
 */
public record RuntimeConfig(
        String name,
        int procs,
        int maxThreads,
        StealPolicy stealPolicy,
        SpinPolicy spinPolicy,
        FairnessPolicy fairnessPolicy,
        SchedEvents events,
        BiConsumer<Goroutine, Throwable> uncaughtHandler,
        boolean randomizeScheduler,
        long autoHandoffNanos,
        TimerQueueFactory timerFactory,
        boolean virtualTime,
        Long seed,
        long longRunWarningNanos) {

    /** Go's limit on the number of threads ({@code sched.maxmcount}). */
    public static final int DEFAULT_MAX_THREADS = 10_000;

    /**
     * The most Ps (GOMAXPROCS) a runtime may have: 65,536. Each P holds a run queue, a free list
     * and timers (a few KiB), and every spinning M and every stop-the-world walks all of them, so
     * this is far beyond any machine's processor count while keeping a runtime's fixed cost near
     * 200 MiB at most; a larger value is a mistake, refused before anything is allocated.
     */
    public static final int MAX_PROCS = 1 << 16;

    /**
     * The most carrier threads {@code maxThreads} may allow: 1,048,576, beyond any operating
     * system's thread limit (Linux's default {@code threads-max} is a few hundred thousand); the
     * runtime treats a thread the system refuses as back-pressure, as at {@code maxThreads}.
     */
    public static final int MAX_THREADS = 1 << 20;

    /**
     * The default GOMAXPROCS, as Go computes it: the environment variable {@code GOMAXPROCS} when
     * it holds an integer from 1 to {@link #MAX_PROCS}, else the processors this JVM may use ({@link
     * Runtime#availableProcessors()}, which already honours a container's CPU quota: cgroup v2
     * {@code cpu.max}, v1 {@code cpu.cfs_quota_us}). Any other value is
     * ignored, as Go ignores it, with one warning through {@code System.Logger} "dev.jgo".
     *
     * <p>Concurrency: any thread.
     */
    public static int defaultProcs() {
        int cpus = Runtime.getRuntime().availableProcessors();
        String env = System.getenv("GOMAXPROCS");
        int n = parseGomaxprocs(env);
        if (n > 0) {
            return n;
        }
        if (env != null && !env.isBlank() && GOMAXPROCS_WARNED.compareAndSet(false, true)) {
            System.getLogger("dev.jgo")
                    .log(
                            System.Logger.Level.WARNING,
                            "GOMAXPROCS=" + env + " is not an integer from 1 to " + MAX_PROCS + "; using " + cpus
                                    + " (available processors)");
        }
        return cpus;
    }

    /** A {@code GOMAXPROCS} value: an integer from 1 to {@link #MAX_PROCS}, else 0 (unset or invalid). */
    static int parseGomaxprocs(String v) {
        if (v == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v.strip());
            return n > 0 && n <= MAX_PROCS ? n : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static final java.util.concurrent.atomic.AtomicBoolean GOMAXPROCS_WARNED =
            new java.util.concurrent.atomic.AtomicBoolean();

    public RuntimeConfig {
        Objects.requireNonNull(name, "name");
        checkProcs(procs);
        if (maxThreads > MAX_THREADS) {
            throw new IllegalArgumentException(
                    "maxThreads must be at most RuntimeConfig.MAX_THREADS (" + MAX_THREADS + "), got " + maxThreads);
        }
        if (maxThreads < procs + 1) {
            throw new IllegalArgumentException(
                    "maxThreads must be at least procs + 1 (" + (procs + 1) + "), got " + maxThreads);
        }
        Objects.requireNonNull(stealPolicy, "stealPolicy");
        Objects.requireNonNull(spinPolicy, "spinPolicy");
        Objects.requireNonNull(fairnessPolicy, "fairnessPolicy");
        if (autoHandoffNanos < 0) {
            throw new IllegalArgumentException("autoHandoffNanos must be >= 0, got " + autoHandoffNanos);
        }
        if (longRunWarningNanos < 0) {
            throw new IllegalArgumentException("longRunWarningNanos must be >= 0, got " + longRunWarningNanos);
        }
    }

    /**
     * Checks a GOMAXPROCS value: from 1 to {@link #MAX_PROCS}.
     *
     * @throws IllegalArgumentException outside those bounds
     */
    public static int checkProcs(int procs) {
        if (procs < 1) {
            throw new IllegalArgumentException("procs (GOMAXPROCS) must be at least 1, got " + procs);
        }
        if (procs > MAX_PROCS) {
            throw new IllegalArgumentException(
                    "procs (GOMAXPROCS) must be at most RuntimeConfig.MAX_PROCS (" + MAX_PROCS + "), got " + procs);
        }
        return procs;
    }

    /** A configuration with the wall clock, unseeded scheduling choices and no long-run warnings. */
    public RuntimeConfig(
            String name,
            int procs,
            int maxThreads,
            StealPolicy stealPolicy,
            SpinPolicy spinPolicy,
            FairnessPolicy fairnessPolicy,
            SchedEvents events,
            BiConsumer<Goroutine, Throwable> uncaughtHandler,
            boolean randomizeScheduler,
            long autoHandoffNanos,
            TimerQueueFactory timerFactory) {
        this(
                name,
                procs,
                maxThreads,
                stealPolicy,
                spinPolicy,
                fairnessPolicy,
                events,
                uncaughtHandler,
                randomizeScheduler,
                autoHandoffNanos,
                timerFactory,
                false,
                null,
                0);
    }

    /** A configuration whose timer factory is found with {@link java.util.ServiceLoader}. */
    public RuntimeConfig(
            String name,
            int procs,
            int maxThreads,
            StealPolicy stealPolicy,
            SpinPolicy spinPolicy,
            FairnessPolicy fairnessPolicy,
            SchedEvents events,
            BiConsumer<Goroutine, Throwable> uncaughtHandler,
            boolean randomizeScheduler,
            long autoHandoffNanos) {
        this(
                name,
                procs,
                maxThreads,
                stealPolicy,
                spinPolicy,
                fairnessPolicy,
                events,
                uncaughtHandler,
                randomizeScheduler,
                autoHandoffNanos,
                null);
    }

    /** A configuration without automatic hand-off. */
    public RuntimeConfig(
            String name,
            int procs,
            int maxThreads,
            StealPolicy stealPolicy,
            SpinPolicy spinPolicy,
            FairnessPolicy fairnessPolicy,
            SchedEvents events,
            BiConsumer<Goroutine, Throwable> uncaughtHandler,
            boolean randomizeScheduler) {
        this(
                name,
                procs,
                maxThreads,
                stealPolicy,
                spinPolicy,
                fairnessPolicy,
                events,
                uncaughtHandler,
                randomizeScheduler,
                0);
    }
}
