package dev.jgo.bench;

import com.softwaremill.jox.Channel;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import java.util.concurrent.SynchronousQueue;

/**
 * Ping-pong: {@code n} round trips over two unbuffered channels. The main goroutine sends {@code
 * i} on {@code ping}; an echo goroutine receives it and sends it back on {@code pong}. Each round
 * trip is two synchronous hand-offs, and with one goroutine on each side every hand-off parks the
 * receiver and readies it (Go's {@code BenchmarkChanSync} shape). Peers: jgo {@link Chan}, {@link
 * SynchronousQueue} on virtual threads, jox rendezvous channels on virtual threads. Checksum: the
 * sum of the values echoed, 0 + 1 + ... + (n-1).
 */
public final class PingPong implements Workload {

    @Override
    public String name() {
        return "ping-pong";
    }

    @Override
    public String description() {
        return "n round trips over two unbuffered channels (vt: SynchronousQueue)";
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
    public long runJgo(GoRuntime rt, int n) {
        Workload.requireN(n, 1, name());
        return rt.run(() -> {
            Chan<Long> ping = Chan.make(0);
            Chan<Long> pong = Chan.make(0);
            Go.go(() -> {
                for (int i = 0; i < n; i++) {
                    pong.send(ping.recv());
                }
            });
            long sum = 0;
            for (long i = 0; i < n; i++) {
                ping.send(i);
                sum += pong.recv();
            }
            return sum;
        });
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 1, name());
        return Workload.inVirtualThread(() -> {
            SynchronousQueue<Long> ping = new SynchronousQueue<>();
            SynchronousQueue<Long> pong = new SynchronousQueue<>();
            Thread echo = Thread.startVirtualThread(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        pong.put(ping.take());
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
            return sum;
        });
    }

    @Override
    public boolean hasJox() {
        return true;
    }

    @Override
    public long runJox(int n) throws Exception {
        Workload.requireN(n, 1, name());
        return Workload.inVirtualThread(() -> {
            Channel<Long> ping = Channel.newRendezvousChannel();
            Channel<Long> pong = Channel.newRendezvousChannel();
            Thread echo = Thread.startVirtualThread(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        pong.send(ping.receive());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long sum = 0;
            for (long i = 0; i < n; i++) {
                ping.send(i);
                sum += pong.receive();
            }
            echo.join();
            return sum;
        });
    }
}
