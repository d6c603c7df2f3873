package dev.jgo.jmh;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Mutex;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Goroutine-level micro-benchmarks on a running jgo runtime: a park/ready pair through the
 * scheduler SPI ({@link Carrier#park}, {@link Carrier#ready}), an unbuffered channel hand-off, and
 * a buffered channel send + receive that never blocks. Each invocation runs {@link #OPS}
 * operations inside one {@code rt.run}, so the cost of entering the runtime is spread over them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED", "-XX:+UseParallelGC"})
public class ParkReadyBench {
    /** Operations per invocation. */
    static final int OPS = 10_000;

    /** A wake-up that came before its park. */
    private static final Object TOKEN = new Object();

    @Param({"1", "2"})
    public int procs;

    GoRuntime rt;

    @Setup
    public void setup() {
        rt = GoRuntime.builder().procs(procs).build();
    }

    @TearDown
    public void tearDown() {
        rt.close();
    }

    /**
     * A one-waiter binary semaphore on park/ready: the slot holds null, the parked goroutine, or
     * {@link #TOKEN}. The waiter publishes itself in the park's unlock function, after it is off
     * its carrier, so the waker may ready it as soon as it sees it.
     */
    static final class Sem {
        final AtomicReference<Object> slot = new AtomicReference<>();

        void await() {
            if (slot.compareAndSet(TOKEN, null)) {
                return;
            }
            Carrier.current().park(WaitReason.PARKED, this, (g, l) -> ((Sem) l).slot.compareAndSet(null, g));
            slot.compareAndSet(TOKEN, null); // the unlock lost to a wake-up: consume it
        }

        void signal() {
            Object v = slot.getAndSet(TOKEN);
            if (v instanceof Goroutine g) {
                slot.set(null); // the wake-up is delivered by the ready itself
                Carrier.current().ready(g);
            }
        }
    }

    /** Two goroutines wake each other in turn; one operation is one park plus one ready. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long parkReadyPair() {
        return rt.run(() -> {
            Sem a = new Sem();
            Sem b = new Sem();
            int rounds = OPS / 2;
            Go.go(() -> {
                for (int i = 0; i < rounds; i++) {
                    b.await();
                    a.signal();
                }
            });
            for (int i = 0; i < rounds; i++) {
                b.signal();
                a.await();
            }
            return (long) rounds;
        });
    }

    /** Ping-pong over two unbuffered channels; one operation is one hand-off (half a round trip). */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long unbufferedChanHandoff() {
        return rt.run(() -> {
            Chan<Integer> ping = Chan.make(0);
            Chan<Integer> pong = Chan.make(0);
            int rounds = OPS / 2;
            Go.go(() -> {
                for (int i = 0; i < rounds; i++) {
                    pong.send(ping.recv());
                }
            });
            Integer v = 12345; // one boxed value, so that -prof gc shows the runtime's own allocation
            long sum = 0;
            for (int i = 0; i < rounds; i++) {
                ping.send(v);
                sum += pong.recv();
            }
            return sum;
        });
    }

    /**
     * One goroutine yields ({@code Go.yield}, Go's Gosched): one operation is one yield and the
     * resume that follows (through the global queue, as Go's goschedImpl, or runnext's neighbour).
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long yield() {
        return rt.run(() -> {
            for (int i = 0; i < OPS; i++) {
                Go.yield();
            }
            return (long) OPS;
        });
    }

    /**
     * Two goroutines take turns on a {@link Mutex} that the other holds: each unlock wakes the
     * parked waiter, which then takes the lock. One operation is one hand-over (an unlock that
     * readies the waiter, and its lock).
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long mutexHandover() {
        return rt.run(() -> {
            Mutex mu = new Mutex();
            Sem turnA = new Sem();
            Sem turnB = new Sem();
            int rounds = OPS / 2;
            long[] n = new long[1];
            mu.lock();
            Go.go(() -> {
                for (int i = 0; i < rounds; i++) {
                    turnB.await();
                    mu.lock(); // parks until A unlocks
                    n[0]++;
                    turnA.signal();
                    mu.unlock();
                }
            });
            for (int i = 0; i < rounds; i++) {
                turnB.signal();
                mu.unlock(); // B may be parked on mu: hand it over
                turnA.await();
                mu.lock();
            }
            mu.unlock();
            return n[0];
        });
    }

    /** One goroutine sends to a buffered channel and receives back; one operation is the pair. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long bufferedChanSendRecv() {
        return rt.run(() -> {
            Chan<Integer> c = Chan.make(128);
            Integer v = 7;
            long sum = 0;
            for (int i = 0; i < OPS; i++) {
                c.send(v);
                sum += c.recv();
            }
            return sum;
        });
    }
}
