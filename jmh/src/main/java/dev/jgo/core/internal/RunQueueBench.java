package dev.jgo.core.internal;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-P run queue on one thread (the owner; stealers are other Ps' Ms in the scheduler, here
 * the same thread, so no CAS ever fails): Go's {@code runqput}/{@code runqget} through the ring
 * and through {@code runnext}, and a steal of half a queue ({@code runqsteal}).
 *
 * <p>In the core's package to reach the package-private {@link RunQueue} and {@link G}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED", "-XX:+UseParallelGC"})
public class RunQueueBench {
    /** Goroutines moved per invocation of the batched benchmarks. */
    static final int BATCH = 128;

    RunQueue q;
    RunQueue victim;
    G[] gs;

    @Setup
    public void setup() {
        GlobalRunQueue global = new GlobalRunQueue();
        q = new RunQueue(RunQueue.DEFAULT_CAPACITY, global);
        victim = new RunQueue(RunQueue.DEFAULT_CAPACITY, global);
        gs = new G[BATCH];
        for (int i = 0; i < BATCH; i++) {
            gs[i] = new G();
        }
    }

    /** One put to the ring's tail and one get from its head. */
    @Benchmark
    public G putGet() {
        q.runqput(gs[0], false, 0, null);
        return q.runqget();
    }

    /** One put to {@code runnext} and one get of it (the hand-off a channel wake-up makes). */
    @Benchmark
    public G putGetRunnext() {
        q.runqput(gs[0], true, 0, null);
        return q.runqget();
    }

    /** 128 puts then 128 gets, per goroutine. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public G putGetBatch() {
        for (int i = 0; i < BATCH; i++) {
            q.runqput(gs[i], false, 0, null);
        }
        G last = null;
        for (int i = 0; i < BATCH; i++) {
            last = q.runqget();
        }
        return last;
    }

    /**
     * A steal cycle: 64 puts on the victim, one {@code runqsteal} that moves half (32) to the
     * thief and returns one of them, then the thief's and the victim's queues drained with gets.
     * Subtract 64 put/get pairs ({@link #putGetBatch}) to see the steal alone.
     */
    @Benchmark
    public int stealHalfCycle() {
        for (int i = 0; i < 64; i++) {
            victim.runqput(gs[i], false, 0, null);
        }
        G got = q.runqsteal(victim, false, false, 0, 0);
        int n = got == null ? 0 : 1;
        while (q.runqget() != null) {
            n++;
        }
        while (victim.runqget() != null) {
            n++;
        }
        if (n != 64) {
            throw new IllegalStateException("lost goroutines: " + n);
        }
        return n;
    }
}
