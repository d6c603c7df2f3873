package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Mutex;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hand-off path allocates nothing: a channel hand-off, a yield and a Mutex hand-over, each
 * repeated many times in steady state, add no heap bytes on the carrier threads (the allocation
 * counters of the runtime's Ms, {@code ThreadMXBean.getThreadAllocatedBytes}). The goroutines,
 * channels and sudogs are made before the measured part; the values passed are one boxed object.
 */
@Timeout(120)
class HandoffAllocationTest {
    private static final int WARMUP = 100_000;
    private static final int MEASURED = 100_000;
    /** Slack for the measurement itself (its arrays) and a stray JIT or class-loading allocation. */
    private static final long SLACK_BYTES = 16_384;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void channelHandoffYieldAndMutexHandoverAllocateNothing(int procs) {
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            Sched s = ((CoreRuntime) rt).sched();
            long[] bytes = rt.run(() -> {
                Chan<Integer> ping = Chan.make(0);
                Chan<Integer> pong = Chan.make(0);
                Integer v = 12345;
                Mutex mu = new Mutex();
                // per round: a channel hand-off each way, a yield and a Mutex hand-over
                Go.go(() -> {
                    while (true) {
                        Integer x = ping.recv();
                        if (x == null) {
                            return;
                        }
                        mu.lock(); // parks: the main goroutine holds mu
                        pong.send(x);
                        mu.unlock();
                    }
                });
                IntConsumer rounds = n -> {
                    for (int i = 0; i < n; i++) {
                        mu.lock();
                        ping.send(v);
                        Go.yield(); // the echo runs and parks on mu
                        mu.unlock(); // hands mu over: readies the echo
                        pong.recv();
                    }
                };
                rounds.accept(WARMUP);
                long[] ids = carrierIds(s);
                long before = sum(THREADS.getThreadAllocatedBytes(ids));
                rounds.accept(MEASURED);
                long after = sum(THREADS.getThreadAllocatedBytes(ids));
                ping.close();
                return new long[] {after - before, ids.length};
            });
            assertTrue(
                    bytes[0] < SLACK_BYTES,
                    bytes[0] + " bytes allocated on " + bytes[1] + " carriers over " + MEASURED
                            + " rounds (hand-offs, yields, Mutex hand-overs)");
        }
    }

    private static long[] carrierIds(Sched s) {
        List<M> ms;
        s.lock.lock();
        try {
            ms = new ArrayList<>(s.allm);
        } finally {
            s.lock.unlock();
        }
        return ms.stream().mapToLong(Thread::threadId).toArray();
    }

    private static long sum(long[] a) {
        long n = 0;
        for (long x : a) {
            n += Math.max(0, x);
        }
        return n;
    }
}
