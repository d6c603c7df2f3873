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
 *
 * <p>With one P nothing else runs, so the bound is a constant. With two, the Ms also go idle and
 * are woken now and then, and that path may allocate a little: a waiter record when a runtime
 * lock's waiter goes to sleep (SpinLock), a new stack chunk when the JDK cannot reuse a
 * continuation's. So there the bound is per round, well below one boxed value (16 bytes). How
 * often that idle path runs depends on how busy the machine is (a runtime lock's waiter sleeps
 * when its holder's thread is descheduled): the waiter records the locks made meanwhile ({@code
 * SpinLock.waiterRecords()}) are taken off the count, the measured window is taken up to three
 * times, and the least is held to the bound; an allocation on the hand-off path itself is in
 * every window (a sudog per park, a handle per operation: 16 to 56 bytes a round).
 */
@Timeout(120)
public class HandoffAllocationTest {
    private static final int WARMUP = 100_000;
    private static final int MEASURED = 100_000;
    /** Slack for the measurement itself (its arrays) and a stray JIT or class-loading allocation. */
    private static final long SLACK_BYTES = 16_384;
    /**
     * The size of a runtime lock's waiter record: a header and three 4-byte fields, 24 bytes with
     * compressed pointers (the default below a 32 GiB heap), 32 without.
     */
    private static final long WAITER_RECORD_BYTES =
            ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                            .getVMOption("UseCompressedOops")
                            .getValue()
                            .equals("true")
                    ? 24
                    : 32;
    /** With two Ps: bytes per round from the idle path (see above). */
    private static final long IDLE_PATH_BYTES_PER_ROUND = 4;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Runs the measurement in a JVM of its own: in the suite's JVM, classes that Mockito has
     * instrumented for static mocking in other tests (NetPoller, scheduler listeners) keep
     * allocating on every call long after their mocks are closed, which is the test's JVM, not
     * the runtime's.
     */
    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void channelHandoffYieldAndMutexHandoverAllocateNothing(int procs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
        cmd.add("-ea");
        cmd.add("--add-exports");
        cmd.add("java.base/jdk.internal.vm=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(HandoffAllocationTest.class.getName());
        cmd.add(Integer.toString(procs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS), "the measuring JVM did not end");
        } finally {
            p.destroyForcibly();
        }
        String line = out.lines()
                .filter(l -> l.startsWith("allocated "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no measurement from the child JVM:\n" + out));
        String[] f = line.split(" ");
        long bytes = Long.parseLong(f[1]);
        int carriers = Integer.parseInt(f[2]);
        System.getLogger("dev.jgo")
                .log(System.Logger.Level.INFO, "procs={0}: {1} bytes over {2} rounds", procs, bytes, MEASURED);
        long bound = SLACK_BYTES + (procs > 1 ? IDLE_PATH_BYTES_PER_ROUND * MEASURED : 0);
        assertTrue(
                bytes < bound,
                bytes + " bytes allocated on " + carriers + " carriers over " + MEASURED
                        + " rounds (hand-offs, yields, Mutex hand-overs)");
    }

    /** The child JVM: prints {@code allocated BYTES CARRIERS} for {@code args[0]} Ps. */
    public static void main(String[] args) {
        long[] r = measure(Integer.parseInt(args[0]));
        System.out.println("allocated " + r[0] + " " + r[1]);
    }

    /** The least bytes the carriers allocated over one measured window, and how many carriers. */
    static long[] measure(int procs) {
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            Sched s = ((CoreRuntime) rt).sched();
            return rt.run(() -> {
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
                long least = Long.MAX_VALUE;
                int carriers = 0;
                long bound = SLACK_BYTES + (procs > 1 ? IDLE_PATH_BYTES_PER_ROUND * MEASURED : 0);
                for (int window = 0; window < 3 && least >= bound; window++) {
                    long[] ids = carrierIds(s);
                    long records = dev.jgo.spi.SpinLock.waiterRecords();
                    long before = sum(THREADS.getThreadAllocatedBytes(ids));
                    rounds.accept(MEASURED);
                    long after = sum(THREADS.getThreadAllocatedBytes(ids));
                    // a runtime lock's waiter that sleeps makes one record: the lock's, not the path's
                    long lockBytes = WAITER_RECORD_BYTES * (dev.jgo.spi.SpinLock.waiterRecords() - records);
                    least = Math.min(least, Math.max(0, after - before - lockBytes));
                    carriers = ids.length;
                }
                ping.close();
                return new long[] {least, carriers};
            });
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
