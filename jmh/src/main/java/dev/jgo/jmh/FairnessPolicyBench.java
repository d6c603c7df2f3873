package dev.jgo.jmh;

import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.Policies;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of {@link FairnessPolicy#globalQueueInterval()}, which the schedule loop calls once per
 * schedule: Go's fixed 61 against the self-tuned policy (a stripe lookup and counter per call, a
 * clock reading every 16 calls).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-XX:+UseParallelGC"})
public class FairnessPolicyBench {
    @Param({"go", "tuned"})
    public String policy;

    FairnessPolicy p;

    @Setup
    public void setup() {
        p = Policies.fairness(policy);
    }

    @Benchmark
    public int globalQueueInterval() {
        return p.globalQueueInterval();
    }
}
