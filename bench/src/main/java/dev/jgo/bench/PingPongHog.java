package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ping-pong next to a CPU hog (Go's {@code BenchmarkPingPongHog}): one goroutine spins polling a
 * stop channel ({@code select} with {@code default}, here {@link Chan#tryRecv()}) while two others
 * do {@code n} round trips over unbuffered channels. With GOMAXPROCS 1 (the benchmark's shape,
 * {@code --procs 1}) the pair and the hog share one P: the pair hands the P back and forth
 * through {@code runnext}, inheriting one time slice, and the hog gets the P when that slice or
 * the pair's operation budget runs out. The hog stops once the round trips are done.
 *
 * <p>Virtual-thread peer: {@link SynchronousQueue}s for the pair; the hog polls a flag and calls
 * {@link Thread#yield()} every {@link #VT_HOG_POLLS} polls, since a virtual thread cannot be
 * preempted and a hog that never yields would keep a one-carrier scheduler from ever running the
 * pair. jgo's hog yields only when the scheduler asks it to (its {@code tryRecv} is an operation
 * checkpoint).
 *
 * <p>Checksum: the sum of the values echoed, {@code 0 + 1 + ... + (n-1)}, and the hog must have
 * stopped (the run waits for it).
 */
public final class PingPongHog implements Workload {
    /** Polls of the stop flag between two yields of the virtual-thread hog. */
    static final int VT_HOG_POLLS = 1_000;

    /** For tests: what the echo adds to each value; 0 in benchmarks. */
    private final long echoSkew;

    public PingPongHog() {
        this(0);
    }

    /** For tests: a faulty echo that adds {@code echoSkew} to every value. */
    PingPongHog(long echoSkew) {
        this.echoSkew = echoSkew;
    }

    @Override
    public String name() {
        return "ping-pong-hog";
    }

    @Override
    public String description() {
        return "n round trips over unbuffered channels next to a CPU-hog goroutine (Go's PingPongHog; use --procs 1)";
    }

    @Override
    public int defaultN() {
        return 200_000;
    }

    @Override
    public long expected(int n) {
        return Workload.triangle(n);
    }

    @Override
    public long runJgo(GoRuntime rt, int n) {
        Workload.requireN(n, 1, name());
        return rt.run(() -> {
            Chan<Boolean> stop = Chan.make(0);
            Join hog = new Join(1);
            Go.go(() -> {
                long polls = 0;
                while (stop.tryRecv() == null) {
                    polls++;
                }
                hog.arrive(polls < 0 ? 1 : 0);
            });
            Chan<Long> ping = Chan.make(0);
            Chan<Long> pong = Chan.make(0);
            Go.go(() -> {
                for (int i = 0; i < n; i++) {
                    pong.send(ping.recv() + echoSkew);
                }
            });
            long sum = 0;
            for (long i = 0; i < n; i++) {
                ping.send(i);
                sum += pong.recv();
            }
            stop.close();
            return sum + hog.await();
        });
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 1, name());
        return Workload.inVirtualThread(() -> {
            AtomicBoolean stop = new AtomicBoolean();
            Join hog = new Join(1);
            Thread.startVirtualThread(() -> {
                long polls = 0;
                while (!stop.get()) {
                    if (++polls % VT_HOG_POLLS == 0) {
                        Thread.yield();
                    }
                }
                hog.arrive(polls < 0 ? 1 : 0);
            });
            SynchronousQueue<Long> ping = new SynchronousQueue<>();
            SynchronousQueue<Long> pong = new SynchronousQueue<>();
            Thread echo = Thread.startVirtualThread(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        pong.put(ping.take() + echoSkew);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long sum = 0;
            for (long i = 0; i < n; i++) {
                ping.put(i);
                sum += pong.take();
            }
            echo.join();
            stop.set(true);
            return sum + hog.await();
        });
    }
}
