package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.sync.Chan;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A slow task that keeps readying another must not starve a task queued behind them (the pattern
 * of Tokio issue 4941, where a LIFO slot let two tasks hand a worker back and forth forever).
 *
 * <h2>One round, per pair</h2>
 *
 * <ol>
 *   <li>Goroutine A starts B, an echo loop on unbuffered channels, does one round trip with it,
 *       and yields until B is parked in {@code recv}.
 *   <li>A starts C (it goes to {@code runnext}), then sends to B: B takes {@code runnext} and
 *       pushes C to the tail of the local run queue.
 *   <li>A and B now ready each other: A does about 20 µs of work, sends, parks on the reply; B
 *       takes {@code runnext}, echoes, parks; A takes {@code runnext}. Neither runs C, which waits
 *       behind them until the pair's time slice (Go: 10 ms; a goroutine taken from {@code runnext}
 *       inherits it) or its operation budget (128) ends and A is made to yield.
 *   <li>C records how long it waited since it was started; A stops once C has run (or after 200 ms,
 *       a bound for schedulers that starve it longer), closes B's channel and reports.
 * </ol>
 *
 * A round runs {@code pairs} such pairs at once (the suite uses one per processor, so that no P is
 * idle and steals C); {@code n} rounds one after another. Figures: the median and the largest
 * wait of C over the run, in microseconds. Virtual-thread peer: the same with {@link
 * SynchronousQueue}s.
 *
 * <p>Checksum: each C reports its index, {@code 0 + 1 + ... + (n * pairs - 1)}; A also checks that
 * every echo is the value it sent.
 */
public final class Starve implements Workload {
    /**
     * The default bound on one round's ping-pong, for a scheduler that never runs C on its own: a
     * wait of about this long means C ran only because the pair stopped.
     */
    static final long CAP_NANOS = 200_000_000L;

    /** Where A leaves its work's result, so the JIT cannot drop the work. */
    @SuppressWarnings("unused")
    private static volatile long sink;

    private final int pairs;
    /** For tests: what B adds to each value it echoes; 0 in benchmarks. */
    private final long echoSkew;
    /** The bound on one round's ping-pong in nanoseconds. */
    private final long capNanos;

    private volatile Map<String, Double> lastJgo = Map.of();
    private volatile Map<String, Double> lastVirtual = Map.of();

    /** {@code pairs} ping-pong pairs, each with its own C, per round; the suite uses one per processor. */
    public Starve(int pairs) {
        this(pairs, 0, CAP_NANOS);
    }

    /**
     * For tests: a faulty B that adds {@code echoSkew} to every value it echoes, and another
     * bound on a round.
     */
    Starve(int pairs, long echoSkew, long capNanos) {
        if (pairs < 1) {
            throw new IllegalArgumentException("pairs must be at least 1, got " + pairs);
        }
        this.pairs = pairs;
        this.echoSkew = echoSkew;
        this.capNanos = capNanos;
    }

    @Override
    public String name() {
        return "starve";
    }

    @Override
    public String description() {
        return "n rounds of " + pairs + " slow ping-pong pairs each with a task queued behind them"
                + " (Tokio 4941): its wait in µs";
    }

    @Override
    public int defaultN() {
        return 20;
    }

    @Override
    public long expected(int n) {
        return Workload.triangle(n * pairs);
    }

    @Override
    public long ops(int n) {
        return (long) n * pairs;
    }

    @Override
    public Map<String, Double> lastFigures(Peer peer) {
        return switch (peer) {
            case JGO -> lastJgo;
            case VT -> lastVirtual;
            default -> Map.of();
        };
    }

    static Map<String, Double> figures(long[] waits) {
        long[] s = waits.clone();
        Arrays.sort(s);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("wait p50 us", s.length == 0 ? 0 : s[s.length / 2] / 1e3);
        m.put("wait max us", s.length == 0 ? 0 : s[s.length - 1] / 1e3);
        return m;
    }

    /**
     * Runs one pair's A; a failure is kept in {@code failure} and reported as 0, so the round's
     * {@link Join} still completes and the round then throws it.
     */
    private static long reporting(AtomicReference<RuntimeException> failure, LongSupplier pair) {
        try {
            return pair.getAsLong();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            return 0;
        }
    }

    private static void rethrow(AtomicReference<RuntimeException> failure) {
        RuntimeException e = failure.get();
        if (e != null) {
            throw new IllegalStateException("starve: a pair failed: " + e.getMessage(), e);
        }
    }

    private static void check(long sent, long got) {
        if (sent != got) {
            throw new IllegalStateException("echo returned " + got + ", sent " + sent);
        }
    }

    @Override
    public long runJgo(GoRuntime rt, int n) {
        Workload.requireN(n, 1, name());
        long[] waits = new long[n * pairs];
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        long sum = rt.run(() -> {
            long total = 0;
            for (int r = 0; r < n; r++) {
                Join round = new Join(pairs);
                for (int p = 0; p < pairs; p++) {
                    int id = r * pairs + p;
                    Go.go(() -> round.arrive(reporting(failure, () -> pairJgo(id, waits))));
                }
                total += round.await();
                rethrow(failure);
            }
            return total;
        });
        lastJgo = figures(waits);
        return sum;
    }

    /** Goroutine A of one pair; returns {@code id} once its C has run. */
    private long pairJgo(int id, long[] waits) {
        Chan<Long> ping = Chan.make(0);
        Chan<Long> pong = Chan.make(0);
        Goroutine b = Go.go(() -> {
            for (Long v : ping) {
                pong.send(v + echoSkew);
            }
        });
        ping.send(-1L);
        check(-1L, pong.recv());
        while (b.state() != Goroutine.State.WAITING) {
            Go.yield(); // until B waits in recv, so that the next send readies it into runnext
        }
        AtomicBoolean ran = new AtomicBoolean();
        long start = System.nanoTime();
        Go.go(() -> {
            waits[id] = System.nanoTime() - start;
            ran.set(true); // volatile write, after waits[id]: read after A's ran.get()
        });
        long x = id;
        for (long step = 0; !ran.get() && System.nanoTime() - start < capNanos; step++) {
            x = Sleepers.work(x);
            ping.send(step);
            check(step, pong.recv());
        }
        ping.close();
        while (!ran.get()) {
            Go.yield();
        }
        sink = x;
        return id;
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 1, name());
        long[] waits = new long[n * pairs];
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        long sum = Workload.inVirtualThread(() -> {
            long total = 0;
            for (int r = 0; r < n; r++) {
                Join round = new Join(pairs);
                for (int p = 0; p < pairs; p++) {
                    int id = r * pairs + p;
                    Thread.startVirtualThread(() -> round.arrive(reporting(failure, () -> pairVirtual(id, waits))));
                }
                total += round.await();
                rethrow(failure);
            }
            return total;
        });
        lastVirtual = figures(waits);
        return sum;
    }

    /** Thread A of one pair, on virtual threads; a negative stop value ends B. */
    private long pairVirtual(int id, long[] waits) {
        try {
            SynchronousQueue<Long> ping = new SynchronousQueue<>();
            SynchronousQueue<Long> pong = new SynchronousQueue<>();
            Thread b = Thread.startVirtualThread(() -> {
                try {
                    for (long v = ping.take(); v != Long.MIN_VALUE; v = ping.take()) {
                        pong.put(v + echoSkew);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            ping.put(-1L);
            check(-1L, pong.take());
            while (b.getState() != Thread.State.WAITING) {
                Thread.yield();
            }
            AtomicBoolean ran = new AtomicBoolean();
            long start = System.nanoTime();
            Thread.startVirtualThread(() -> {
                waits[id] = System.nanoTime() - start;
                ran.set(true);
            });
            long x = id;
            for (long step = 0; !ran.get() && System.nanoTime() - start < capNanos; step++) {
                x = Sleepers.work(x);
                ping.put(step);
                check(step, pong.take());
            }
            ping.put(Long.MIN_VALUE);
            b.join();
            while (!ran.get()) {
                Thread.yield();
            }
            sink = x;
            return id;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
