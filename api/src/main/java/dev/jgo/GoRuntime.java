package dev.jgo;

import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.RuntimeConfig;
import dev.jgo.spi.RuntimeProvider;
import dev.jgo.spi.RuntimeRegistry;
import dev.jgo.spi.RuntimeView;
import dev.jgo.spi.SchedEvents;
import dev.jgo.spi.SpinPolicy;
import dev.jgo.spi.StealPolicy;
import dev.jgo.spi.TimerQueueFactory;
import java.util.Comparator;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

/**
 * A goroutine runtime: GOMAXPROCS processors (Ps), carrier threads (Ms) created on demand, and
 * the goroutines (Gs) they run.
 *
 * <pre>{@code
 * try (GoRuntime rt = GoRuntime.builder().procs(4).build()) {
 *     long sum = rt.run(() -> {
 *         Chan<Long> c = Chan.make(0);
 *         Go.go(() -> c.send(42L));
 *         return c.recv();
 *     });
 * }
 * }</pre>
 *
 * <p>Goroutines started by a main goroutine keep running after {@link #run} returns, until they
 * finish or the runtime is closed.
 */
public interface GoRuntime extends AutoCloseable {

    /** A builder whose {@link Builder#build()} finds the implementation with {@link ServiceLoader}. */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code main} as a main goroutine and returns its result once it returns. What it throws
     * is rethrown (checked exceptions wrapped in {@link GoroutineException}).
     *
     * @throws DeadlockException if every goroutine is asleep and none can be woken
     * @throws IllegalStateException if the runtime is closed, or was ended by a goroutine that
     *     threw with no handler configured
     */
    <T> T run(Callable<T> main);

    /** As {@link #run(Callable)} for a body with no result. */
    default void run(Runnable main) {
        Objects.requireNonNull(main, "main");
        run(() -> {
            main.run();
            return null;
        });
    }

    /**
     * Starts a goroutine from any thread, a goroutine included, and returns a handle on it (see
     * {@link Goroutine}).
     */
    Goroutine go(Runnable fn);

    /** GOMAXPROCS. */
    int gomaxprocs();

    /**
     * Sets GOMAXPROCS while running and returns the previous value; {@code n == 0} only reads it.
     *
     * @throws IllegalArgumentException if {@code n < 0}, {@code n >} {@link RuntimeConfig#MAX_PROCS}
     *     or {@code n >= maxThreads}
     */
    int gomaxprocs(int n);

    /** Goroutines that exist now (started and not finished). */
    int numGoroutine();

    /** Read-only introspection: Ps, Ms, queues and counters. */
    RuntimeView view();

    /**
     * The JDK's own virtual-thread builder, made for this runtime's scheduler: the threads it
     * makes are JDK virtual threads ({@link Thread#isVirtual()}) whose carriers are this runtime's
     * carrier threads (Ms). They sit in the Ps' run queues with goroutines and follow the
     * runtime's steal, spin and fairness policies; at most {@link #gomaxprocs()} of them and
     * goroutines together run at once. Blocking JDK calls in them (sockets, {@code Thread.sleep},
     * {@code ReentrantLock}, {@code synchronized}) park the virtual thread, not the carrier.
     *
     * <p>Inside such a thread the runtime's API behaves as in a goroutine of this runtime: {@link
     * Go#inGoroutine()} is true, {@code dev.jgo.sync} channels, select and sync types and {@code
     * dev.jgo.time} park the virtual thread, and they work with goroutines in both directions.
     * Each live one counts in {@link #numGoroutine()}, in deadlock detection and in goroutine
     * dumps. A virtual thread cannot be preempted: one that never blocks keeps its carrier.
     *
     * <p>Needs the JVM flag {@code --add-opens java.base/java.lang=ALL-UNNAMED} ({@code java -jar
     * jgo.jar} adds it from its manifest): the JDK builds virtual threads for a given scheduler only
     * through a constructor it does not export.
     *
     * @throws IllegalStateException if the runtime is closed, or the flag is missing (the
     *     message's first line names it)
     * @throws UnsupportedOperationException if the implementation cannot run virtual threads
     */
    default Thread.Builder.OfVirtual virtualThreadBuilder() {
        throw new UnsupportedOperationException(getClass().getName() + " does not schedule JDK virtual threads");
    }

    /**
     * An executor that starts a new virtual thread of {@link #virtualThreadBuilder()} for each
     * task ({@link java.util.concurrent.Executors#newThreadPerTaskExecutor}). Once this runtime is
     * closed, its {@code execute} and {@code submit} throw {@link
     * java.util.concurrent.RejectedExecutionException}.
     *
     * @throws IllegalStateException as {@link #virtualThreadBuilder()}
     */
    default java.util.concurrent.ExecutorService newVirtualThreadPerTaskExecutor() {
        return java.util.concurrent.Executors.newThreadPerTaskExecutor(
                virtualThreadBuilder().factory());
    }

    /**
     * Stops every M; no carrier thread outlives this call. Pending {@link #run} calls fail with
     * {@link IllegalStateException}; goroutines that have not finished are abandoned. Idempotent.
     * Afterwards {@link #virtualThreadBuilder()} and {@link #newVirtualThreadPerTaskExecutor()}
     * throw {@link IllegalStateException}, {@code start()} of a virtual thread made before throws
     * {@link java.util.concurrent.RejectedExecutionException}, and virtual threads that have not
     * finished are abandoned and reported with the goroutines left.
     */
    @Override
    void close();

    /** Collects the runtime's settings; every setter validates at once. */
    final class Builder {
        private String name = "jgo";
        private int procs = RuntimeConfig.defaultProcs();
        private int maxThreads = RuntimeConfig.DEFAULT_MAX_THREADS;
        private StealPolicy steal = StealPolicy.go();
        private SpinPolicy spin = SpinPolicy.go();
        private FairnessPolicy fairness = FairnessPolicy.go();
        private SchedEvents events;
        private BiConsumer<Goroutine, Throwable> uncaughtHandler;
        private boolean randomize;
        private long autoHandoffNanos;
        private long longRunWarningNanos;
        private RuntimeProvider provider;
        private TimerQueueFactory timerFactory;
        private boolean virtualTime;
        private Long seed;

        Builder() {}

        /**
         * GOMAXPROCS, from 1 to {@link RuntimeConfig#MAX_PROCS} (65,536); default {@link
         * RuntimeConfig#defaultProcs()} (the environment variable {@code GOMAXPROCS}, else the
         * available processors).
         *
         * @throws IllegalArgumentException outside those bounds
         */
        public Builder procs(int n) {
            this.procs = RuntimeConfig.checkProcs(n);
            return this;
        }

        /** Carrier-thread name prefix. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Most carrier threads (Go's {@code SetMaxThreads}, default 10000), from 2 to {@link
         * RuntimeConfig#MAX_THREADS} (1,048,576); raised to {@code procs + 1} if lower. At the
         * limit, and when the operating system refuses a thread, Ps wait for a carrier instead of
         * the runtime failing.
         *
         * @throws IllegalArgumentException outside those bounds
         */
        public Builder maxThreads(int n) {
            if (n < 2 || n > RuntimeConfig.MAX_THREADS) {
                throw new IllegalArgumentException("maxThreads must be from 2 to RuntimeConfig.MAX_THREADS ("
                        + RuntimeConfig.MAX_THREADS + "), got " + n);
            }
            this.maxThreads = n;
            return this;
        }

        public Builder stealPolicy(StealPolicy p) {
            this.steal = Objects.requireNonNull(p, "stealPolicy");
            return this;
        }

        public Builder spinPolicy(SpinPolicy p) {
            this.spin = Objects.requireNonNull(p, "spinPolicy");
            return this;
        }

        public Builder fairnessPolicy(FairnessPolicy p) {
            this.fairness = Objects.requireNonNull(p, "fairnessPolicy");
            return this;
        }

        /** A scheduler event listener (tracing, metrics). */
        public Builder events(SchedEvents e) {
            this.events = Objects.requireNonNull(e, "events");
            return this;
        }

        /**
         * Called when a goroutine (not a main one) throws. Without a handler jgo does what Go does
         * with an unrecovered panic: prints the stack and ends the runtime, failing every pending
         * {@link GoRuntime#run} with the exception.
         */
        public Builder uncaughtExceptionHandler(BiConsumer<Goroutine, Throwable> h) {
            this.uncaughtHandler = Objects.requireNonNull(h, "handler");
            return this;
        }

        /** Shuffles scheduling choices to shake out ordering assumptions (Go's race-mode randomization). */
        public Builder randomizeScheduler(boolean on) {
            this.randomize = on;
            return this;
        }

        /**
         * Automatic hand-off, beyond Go: when a goroutine blocks its carrier thread inside a JDK
         * call that is not wrapped in {@link Go#blocking} (the thread is BLOCKED, WAITING or
         * TIMED_WAITING) for longer than {@code threshold}, sysmon hands its P to another carrier,
         * as it would for a system call. Costs an atomic operation per runtime call while on;
         * {@code null} or zero turns it off (the default).
         */
        public Builder autoHandoff(java.time.Duration threshold) {
            if (threshold != null && threshold.isNegative()) {
                throw new IllegalArgumentException("autoHandoff threshold must not be negative: " + threshold);
            }
            this.autoHandoffNanos = threshold == null ? 0 : Math.max(threshold.toNanos(), threshold.isZero() ? 0 : 1);
            return this;
        }

        /**
         * Long-run warnings, beyond Go: a goroutine that keeps its P longer than {@code d} without
         * reaching a preemption point (any call into the runtime that may yield, {@link
         * Go#checkpoint()} included, restarts the clock even when it does not yield) is reported
         * once per such run by sysmon, through {@code System.Logger} "dev.jgo" at WARNING with its
         * id, name and current stack, and counted by {@code
         * dev.jgo.prof.JgoRuntimeMXBean.getLongRunWarnings()}. {@code null} or zero turns it off
         * (the default).
         *
         * @throws IllegalArgumentException if {@code d} is negative
         */
        public Builder longRunWarning(java.time.Duration d) {
            if (d != null && d.isNegative()) {
                throw new IllegalArgumentException("longRunWarning must not be negative: " + d);
            }
            this.longRunWarningNanos = d == null ? 0 : Math.max(d.toNanos(), d.isZero() ? 0 : 1);
            return this;
        }

        /**
         * Uses this factory for the per-P timer queues instead of looking one up with {@link
         * ServiceLoader} (which honours {@code -D}{@value TimerQueueFactory#PROPERTY}).
         */
        public Builder timerQueueFactory(TimerQueueFactory f) {
            this.timerFactory = Objects.requireNonNull(f, "timerQueueFactory");
            return this;
        }

        /**
         * Virtual time, as Go 1.25's {@code testing/synctest}: the runtime's clock ({@code
         * Time.now()}, timers, {@link Go#sleep}, tickers, deadlines, context deadlines) starts at
         * {@code 2000-01-01T00:00:00Z} and moves only when every goroutine is durably blocked (on
         * channels, sync types including {@code Mutex}, timers; not inside {@link Go#blocking} or
         * network I/O), jumping to the next timer. All blocked with no timer left is a {@link
         * DeadlockException}. Channels and sync objects its goroutines block on must be operated
         * only by its own goroutines: a wake-up from a plain thread or another runtime is
         * undefined. When the main goroutine returns, {@link GoRuntime#run} returns, the clock
         * stops, and goroutines left over are abandoned. See {@link Go#awaitBlocked()}.
         */
        public Builder virtualTime(boolean on) {
            this.virtualTime = on;
            return this;
        }

        /**
         * Seeds every random scheduling choice ({@code Select}'s case order, the steal victim
         * order, the shuffles of {@link #randomizeScheduler}) and turns off the choices that read
         * the wall clock (sysmon's time-slice preemption; the operation budget still forces
         * yields). With {@code procs(1)} the run is reproducible: the same seed gives the same
         * interleaving, the same choices and the same output, for programs without real-time
         * timers or I/O (use {@link #virtualTime} when they sleep). With more Ps the choices still
         * come from the seed, but which carrier gets where first is up to the operating system.
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Uses this provider instead of looking one up with {@link ServiceLoader}. */
        public Builder provider(RuntimeProvider p) {
            this.provider = Objects.requireNonNull(p, "provider");
            return this;
        }

        /** The validated configuration this builder describes. */
        public RuntimeConfig config() {
            if (maxThreads < procs + 1) {
                maxThreads = Math.max(maxThreads, procs + 1);
            }
            return new RuntimeConfig(
                    name,
                    procs,
                    maxThreads,
                    steal,
                    spin,
                    fairness,
                    events,
                    uncaughtHandler,
                    randomize,
                    autoHandoffNanos,
                    timerFactory,
                    virtualTime,
                    seed,
                    longRunWarningNanos);
        }

        /**
         * Builds and starts the runtime.
         *
         * @throws IllegalStateException if no {@link RuntimeProvider} is on the class path
         */
        public GoRuntime build() {
            RuntimeProvider p = provider;
            if (p == null) {
                p = ServiceLoader.load(RuntimeProvider.class, GoRuntime.class.getClassLoader()).stream()
                        .map(ServiceLoader.Provider::get)
                        .max(Comparator.comparingInt(RuntimeProvider::priority))
                        .orElseThrow(() -> new IllegalStateException(
                                "no dev.jgo.spi.RuntimeProvider found: put jgo-core on the class path"));
            }
            GoRuntime rt = p.create(config());
            RuntimeRegistry.register(rt);
            return rt;
        }
    }
}
