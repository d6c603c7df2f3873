package dev.jgo.profiler.internal;

import dev.jgo.GoRuntime;
import dev.jgo.spi.MachineInfo;
import dev.jgo.spi.RuntimeRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU profiler: Go's SIGPROF handler ({@code sigprof}) played by a sampler thread.
 *
 * <h2>Design note: sampling without SIGPROF</h2>
 *
 * Go's kernel timer interrupts whichever thread is on a CPU, and the handler records that
 * thread's goroutine stack, or a pseudo-frame ({@code sigprofNonGo}) when it runs no goroutine.
 * The JVM offers no signal handler to Java code, so a sampler thread wakes {@code hz} times a
 * second and, for every M of every live runtime:
 *
 * <ol>
 *   <li>skips it unless its thread is RUNNABLE (a parked or blocked M uses no CPU, and SIGPROF
 *       would not have hit it), and skips an M blocked in the runtime's network poll ({@code
 *       MachineInfo.State.NETPOLL}), whose thread reads RUNNABLE while the JDK waits in {@code
 *       epoll_wait}: counted, it made an idle runtime's poller look like a busy CPU;
 *   <li>running goroutine code with a P: records the goroutine's frames (carrier frames below
 *       the continuation entry trimmed), labelled with the goroutine id and its profiler labels;
 *   <li>in a blocking call ({@code Go.blocking}): the same frames under a root pseudo-frame
 *       {@code runtime._Syscall};
 *   <li>in the scheduler (holding a P or spinning, no goroutine): the carrier's scheduler frames
 *       ({@code FindRunnable.findRunnable}, {@code Schedule.execute}...) under a root pseudo-frame {@code
 *       runtime._System}, as Go's profiles show g0's runtime frames; an idle M that still runs (between giving up its P and parking):
 *       {@code runtime._Idle}.
 * </ol>
 *
 * Each sample weighs one period ({@code 1e9/hz} ns), as Go's do.
 *
 * <h2>Design note: on CPU or not</h2>
 *
 * A thread's state says RUNNABLE while it waits in native code: a blocking read or accept
 * inside {@code Go.blocking}, the JDK's poll. SIGPROF counts CPU time, so Go never samples such
 * a thread. The sampler asks the thread's CPU clock instead ({@link ThreadMXBean#getThreadCpuTime},
 * a {@code clock_gettime} of the thread's CPU clock on Linux, well under a microsecond): an M
 * is sampled only when its thread used at least {@link #ON_CPU_FRACTION} of the period since the
 * previous tick. A thread seen for the first time has no previous reading and is not sampled on
 * that tick. The fraction is low because on a loaded machine a busy thread gets a share of a
 * CPU, not all of it; a thread blocked in a system call uses next to none. Where the JVM has no
 * thread CPU clock, the thread state alone decides, as before.
 *
 * <h2>Design note: safepoint bias</h2>
 *
 * {@code Thread.getStackTrace} of another thread is a handshake: the target stops at its next
 * safepoint poll (a method return or a loop back-edge in compiled code) and only then is walked.
 * So samples land on poll sites, not on the instruction that was running: a hot loop body that C2
 * unrolled and a long counted loop without polls get their time charged to the poll after them,
 * and inlined leaf methods without polls can vanish from profiles. Each sample also stalls the
 * sampled thread for the walk (tens of microseconds for deep stacks), which is why the default
 * rate is Go's 100 Hz and not more. JFR's {@code jdk.ExecutionSample} suspends the thread with a
 * signal and walks from the interrupted PC (AsyncGetCallTrace-style), so it has no such bias, but
 * it knows nothing of goroutines: a continuation's frames appear on whatever carrier ran them,
 * without goroutine ids, labels or the M's scheduler state. One comparison on the same run (two
 * goroutines on 2 Ps, one hashing in a counted loop, one computing fib recursively; JFR's {@code
 * profile} settings, its carrier-thread samples only): JFR put 91.6% of samples in the hash loop
 * and 2.4% in fib, this sampler 94.7% and 2.4%. The bias moves samples between nearby poll sites
 * within a method far more than between methods, so at method granularity the two agree, and the
 * sampler stays the source of this profile because only it has goroutine ids, labels and the M
 * states. (The command: {@code java -XX:StartFlightRecording=settings=profile,...} around a
 * program that also runs this profiler, then {@code jfr print --events jdk.ExecutionSample} and
 * counting top frames of threads named {@code jgo-m*}.)
 *
 * <p>Concurrency: started and stopped by {@link JgoProfiler} under its lock; the builder is
 * touched only by the sampler thread until it has been joined.
 */
final class CpuProfiler {
    static final int DEFAULT_HZ = 100;

    /** An M counts as on CPU when it used at least this fraction of the period (see "on CPU or not"). */
    static final int ON_CPU_FRACTION = 20; // 1/20: 5%

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final OutputStream out;
    private final long periodNanos;
    /** CPU time (ns) of each M's thread at the previous tick; sampler thread only. */
    private final Map<Thread, Long> lastCpu = new WeakHashMap<>();

    private final boolean cpuClock = THREADS.isThreadCpuTimeSupported() && enableCpuTime();
    private final ProfileBuilder builder;
    private final Thread sampler;
    private final long startWall = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
    private volatile boolean running = true;
    private volatile Throwable failure;

    CpuProfiler(OutputStream out, int hz) {
        if (hz < 1 || hz > 10_000) {
            throw new IllegalArgumentException("CPU profile rate must be 1..10000 Hz, got " + hz);
        }
        this.out = out;
        this.periodNanos = 1_000_000_000L / hz;
        this.builder = new ProfileBuilder(
                new String[][] {{"samples", "count"}, {"cpu", "nanoseconds"}},
                new String[] {"cpu", "nanoseconds"},
                periodNanos);
        this.sampler = new Thread(this::loop, "jgo-cpuprof");
        sampler.setDaemon(true);
    }

    private static boolean enableCpuTime() {
        try {
            if (!THREADS.isThreadCpuTimeEnabled()) {
                THREADS.setThreadCpuTimeEnabled(true);
            }
            return true;
        } catch (UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    void start() {
        sampler.start();
    }

    private void loop() {
        long next = System.nanoTime();
        try {
            while (running) {
                sampleOnce();
                next += periodNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                } else {
                    next = System.nanoTime(); // fell behind: do not burst
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** One SIGPROF tick over every live runtime. Concurrency: sampler thread. */
    void sampleOnce() {
        for (GoRuntime rt : RuntimeRegistry.live()) {
            List<MachineInfo> ms;
            try {
                ms = rt.view().machines(true);
            } catch (IllegalStateException | UnsupportedOperationException e) {
                continue;
            }
            for (MachineInfo m : ms) {
                // off CPU: a parked thread, or one blocked in the poller (whose thread state
                // reads RUNNABLE while the JDK waits in epoll), as SIGPROF would not fire for it
                boolean ran = onCpu(m.thread()); // reads the clock every tick, to have the previous reading
                if (m.thread().getState() != Thread.State.RUNNABLE || m.state() == MachineInfo.State.NETPOLL || !ran) {
                    continue;
                }
                record(m);
            }
        }
    }

    /**
     * Whether {@code t} used at least 1/{@link #ON_CPU_FRACTION} of a period of CPU since the
     * previous tick (see "on CPU or not"); true when there is no thread CPU clock. Concurrency:
     * sampler thread.
     */
    private boolean onCpu(Thread t) {
        if (!cpuClock) {
            return true;
        }
        long now = THREADS.getThreadCpuTime(t.threadId()); // -1 once the thread has ended
        Long prev = lastCpu.put(t, now);
        return now >= 0 && prev != null && now - prev >= periodNanos / ON_CPU_FRACTION;
    }

    private void record(MachineInfo m) {
        List<ProfileBuilder.Frame> fs = new ArrayList<>(m.stack().size() + 1);
        switch (m.state()) {
            case RUNNING, SYSCALL -> {
                for (StackTraceElement e : m.stack()) {
                    fs.add(ProfileBuilder.Frame.of(e));
                }
                if (m.state() == MachineInfo.State.SYSCALL) {
                    fs.add(ProfileBuilder.Frame.pseudo("runtime._Syscall"));
                }
                builder.add(fs, m.labels(), m.goid(), 1, periodNanos);
            }
            case SCHEDULER -> {
                for (StackTraceElement e : m.stack()) {
                    fs.add(ProfileBuilder.Frame.of(e));
                }
                fs.add(ProfileBuilder.Frame.pseudo("runtime._System"));
                builder.add(fs, null, -1, 1, periodNanos);
            }
            case IDLE -> builder.add(List.of(ProfileBuilder.Frame.pseudo("runtime._Idle")), null, -1, 1, periodNanos);
        }
    }

    /**
     * Stops sampling and writes the profile.
     *
     * @throws UncheckedIOException if writing failed; the sampler is stopped either way
     */
    void stop() {
        running = false;
        LockSupport.unpark(sampler);
        boolean interrupted = false;
        while (true) {
            try {
                sampler.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        try {
            builder.writeGzip(out, startWall * 1_000_000, System.nanoTime() - startNanos);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the CPU profile failed", e);
        }
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("the CPU profiler's sampler failed: " + f, f);
        }
    }
}
