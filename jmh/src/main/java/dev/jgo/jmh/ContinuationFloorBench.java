package dev.jgo.jmh;

import java.util.concurrent.TimeUnit;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under every goroutine hand-off: one {@link Continuation#yield} plus the {@link
 * Continuation#run} that resumes it, with nothing else (no scheduler, no queue), on one thread.
 * A goroutine switch costs at least this; a ping-pong round trip (two hand-offs) at least twice.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED", "-XX:+UseParallelGC"})
public class ContinuationFloorBench {
    private static final ContinuationScope SCOPE = new ContinuationScope("floor");

    Continuation cont;

    @Setup
    public void setup() {
        cont = new Continuation(SCOPE, () -> {
            while (true) {
                Continuation.yield(SCOPE);
            }
        });
    }

    /** One yield + run round trip of a continuation with a shallow stack. */
    @Benchmark
    public void yieldRun() {
        cont.run();
    }
}
