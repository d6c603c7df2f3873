package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.sync.Chan;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;

/**
 * Parked memory: {@code n} goroutines each blocked receiving on its own unbuffered channel, and
 * what they cost. Virtual-thread peer: {@code n} virtual threads each blocked in {@link
 * SynchronousQueue#take()} on its own queue (the JDK's unbuffered hand-off, parking through
 * {@code LockSupport}).
 *
 * <h2>Method</h2>
 *
 * <ol>
 *   <li>{@code n} channels and an array for the goroutine handles are made; {@link System#gc()},
 *       then heap used (after GC, {@code MemoryMXBean}) and the process's resident set ({@code
 *       VmRSS} of {@code /proc/self/status}) are read: the baseline.
 *   <li>{@code n} goroutines start; each blocks in {@code recv} on its channel. Once every one
 *       reports {@code WAITING} (virtual threads: {@link Thread.State#WAITING}), GC again and read
 *       both again. Bytes per parked goroutine = difference / {@code n}: from the heap (the
 *       goroutine object, its continuation and frozen stack, the channel's waiter record) and
 *       from RSS (all of that plus whatever the JVM touched for it; RSS is not given back after a
 *       GC, so it reads the high-water mark of the heap's growth, not the live set).
 *   <li>The main goroutine sends {@code i} to goroutine {@code i}; each checks it got its own
 *       value and reports it to a {@link Join}. Checksum: {@code 0 + 1 + ... + (n-1)}; a goroutine
 *       that got another's value fails the run.
 * </ol>
 *
 * <p>jgo runs on a fresh runtime of the same GOMAXPROCS per run, not the one passed in: a runtime
 * keeps its dead goroutine objects on free lists for reuse (as Go keeps its {@code g}s), so after
 * a warm-up they would already be in the baseline and the figure would leave them out.
 */
public final class ParkedMemory implements Workload {
    /** For tests: goroutine {@code i} is sent {@code (i + misdeliver) % n}; 0 in benchmarks. */
    private final int misdeliver;

    private volatile Map<String, Double> lastJgo = Map.of();
    private volatile Map<String, Double> lastVirtual = Map.of();

    public ParkedMemory() {
        this(0);
    }

    /** For tests: a faulty version that sends each goroutine another's value. */
    ParkedMemory(int misdeliver) {
        this.misdeliver = misdeliver;
    }

    private int valueFor(int i, int n) {
        return (int) ((i + (long) misdeliver) % n);
    }

    @Override
    public String name() {
        return "parked-memory";
    }

    @Override
    public String description() {
        return "n goroutines each blocked receiving on its own channel: heap and RSS bytes per parked goroutine"
                + " (vt: SynchronousQueue.take)";
    }

    @Override
    public int defaultN() {
        return 1_000_000;
    }

    @Override
    public long expected(int n) {
        return Workload.triangle(n);
    }

    @Override
    public Map<String, Double> lastFigures(Peer peer) {
        return switch (peer) {
            case JGO -> lastJgo;
            case VT -> lastVirtual;
            default -> Map.of();
        };
    }

    /** Heap used after a full collection, and VmRSS (-1 where /proc is missing). */
    record Memory(long heapUsed, long rss) {
        static Memory read() {
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            return new Memory(heap, rssBytes());
        }
    }

    /** The resident set of this process from {@code /proc/self/status}, or -1 when unknown. */
    static long rssBytes() {
        return procStatusBytes(Path.of("/proc/self/status"), "VmRSS:");
    }

    /** A {@code kB} field of a {@code /proc/PID/status} file in bytes, or -1 when unknown. */
    static long procStatusBytes(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field)) {
                    String[] f = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static Map<String, Double> figures(Memory before, Memory after, int n) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("heap B/parked", n == 0 ? 0 : (double) (after.heapUsed() - before.heapUsed()) / n);
        m.put("rss B/parked", n == 0 || before.rss() < 0 ? -1 : (double) (after.rss() - before.rss()) / n);
        return m;
    }

    @Override
    public long runJgo(GoRuntime shared, int n) {
        Workload.requireN(n, 0, name());
        try (GoRuntime rt =
                GoRuntime.builder().procs(shared.view().gomaxprocs()).build()) {
            return rt.run(() -> {
                @SuppressWarnings("unchecked")
                Chan<Integer>[] chans = new Chan[n];
                for (int i = 0; i < n; i++) {
                    chans[i] = Chan.make(0);
                }
                Goroutine[] gs = new Goroutine[n];
                Join done = new Join(n);
                Memory before = Go.blocking(Memory::read);
                for (int i = 0; i < n; i++) {
                    int k = i;
                    gs[i] = Go.go(() -> {
                        int got = chans[k].recv();
                        done.arrive(got == k ? got : -1L - got);
                    });
                }
                for (Goroutine g : gs) {
                    while (g.state() != Goroutine.State.WAITING) {
                        Go.yield();
                    }
                }
                Memory after = Go.blocking(Memory::read);
                lastJgo = figures(before, after, n);
                for (int i = 0; i < n; i++) {
                    chans[i].send(valueFor(i, n));
                }
                return n == 0 ? 0 : done.await();
            });
        }
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 0, name());
        return Workload.inVirtualThread(() -> {
            @SuppressWarnings("unchecked")
            SynchronousQueue<Integer>[] queues = new SynchronousQueue[n];
            for (int i = 0; i < n; i++) {
                queues[i] = new SynchronousQueue<>();
            }
            Thread[] ts = new Thread[n];
            Join done = new Join(n);
            Memory before = Memory.read();
            for (int i = 0; i < n; i++) {
                int k = i;
                ts[i] = Thread.startVirtualThread(() -> {
                    try {
                        int got = queues[k].take();
                        done.arrive(got == k ? got : -1L - got);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            for (Thread t : ts) {
                while (t.getState() != Thread.State.WAITING) {
                    Thread.yield();
                }
            }
            Memory after = Memory.read();
            lastVirtual = figures(before, after, n);
            for (int i = 0; i < n; i++) {
                queues[i].put(valueFor(i, n));
            }
            return n == 0 ? 0 : done.await();
        });
    }
}
