package dev.jgo.bench;

import dev.jgo.GoRuntime;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.FutureTask;

/**
 * A benchmark workload with one implementation per peer. Every implementation returns a checksum
 * that must equal {@link #expected(int)}; the runner fails a run whose checksum is wrong, so a
 * fast but broken scheduler cannot win.
 */
public interface Workload {

    /** The name used on the command line. */
    String name();

    /** One line for {@code --help}. */
    String description();

    /** The size used when the command line gives none. */
    int defaultN();

    /** The checksum a correct run of size {@code n} returns. */
    long expected(int n);

    /** Runs on jgo; the timed part is the whole call. */
    long runJgo(GoRuntime rt, int n);

    /** Runs on JDK virtual threads, called from a platform thread. */
    long runVirtual(int n) throws Exception;

    /** Whether {@link #runForkJoin} exists: only task-shaped workloads have a ForkJoinPool peer. */
    default boolean hasForkJoin() {
        return false;
    }

    /** Runs as ForkJoinPool tasks on {@code pool}. */
    default long runForkJoin(ForkJoinPool pool, int n) {
        throw new UnsupportedOperationException(name() + " has no ForkJoinPool version");
    }

    /** Whether {@link #runVirtual} exists (false where the JDK lacks the primitive, e.g. select). */
    default boolean hasVirtual() {
        return true;
    }

    /** Whether {@link #runJox} exists: only channel workloads have a jox version. */
    default boolean hasJox() {
        return false;
    }

    /** Runs with jox channels on JDK virtual threads, called from a platform thread. */
    default long runJox(int n) throws Exception {
        throw new UnsupportedOperationException(name() + " has no jox version");
    }

    /**
     * The operations a run of size {@code n} does, for the ns/op column: round trips, values
     * passed, selects or lock acquisitions. By default {@code n}.
     */
    default long ops(int n) {
        return n;
    }

    /**
     * Figures of the last run on {@code peer} besides its time, by name in report order (bytes
     * per parked goroutine, a latency percentile); empty for workloads that measure time only.
     * Read by the runner after each run.
     */
    default Map<String, Double> lastFigures(Peer peer) {
        return Map.of();
    }

    /** Whether {@code peer} can run this workload. */
    default boolean supports(Peer peer) {
        return switch (peer) {
            case JGO -> true;
            case VT -> hasVirtual();
            case FJ -> hasForkJoin();
            case JOX -> hasJox();
        };
    }

    /** Runs {@code body} as a new virtual thread and returns its result (the "main" virtual thread). */
    static long inVirtualThread(LongBody body) throws Exception {
        FutureTask<Long> f = new FutureTask<>(body::run);
        Thread.ofVirtual().name("bench-main").start(f);
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    /** A body that returns a checksum. */
    @FunctionalInterface
    interface LongBody {
        long run() throws Exception;
    }

    /** n(n-1)/2: the sum 0 + 1 + ... + (n-1). */
    static long triangle(int n) {
        return (long) n * (n - 1) / 2;
    }

    /** Rejects sizes below {@code min}. */
    static void requireN(int n, int min, String name) {
        if (n < min) {
            throw new IllegalArgumentException(name + ": n must be at least " + min + ", got " + n);
        }
    }
}
