package dev.jgo.bench;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Short sleeps beside the network poller: one goroutine sleeps {@link #SLEEP} {@code n} times
 * ({@link Go#sleep}; virtual threads: {@link Thread#sleep}), after the runtime has opened a
 * listener, as a server would, so that an idle M waits for the timer with the poller in use.
 * A network poll's timeout has a resolution of a millisecond (Java's {@code Selector}, Go's
 * epoll_wait); the time per operation shows how close to 200 microseconds a sleep stays. Go's
 * version is {@code gobench -workload short-sleeps}. Checksum: {@code n}.
 */
public final class ShortSleeps implements Workload {
    /** The length of each sleep. */
    static final Duration SLEEP = Duration.ofNanos(200_000);

    @Override
    public String name() {
        return "short-sleeps";
    }

    @Override
    public String description() {
        return "a goroutine sleeps 200 us n times with the network poller in use (Go.sleep / Thread.sleep)";
    }

    @Override
    public int defaultN() {
        return 2_000;
    }

    @Override
    public long expected(int n) {
        return n;
    }

    @Override
    public long runJgo(GoRuntime rt, int n) {
        Workload.requireN(n, 0, name());
        return rt.run(() -> {
            try (Listener l = Net.listen("127.0.0.1", 0)) { // the poller is in use from here on
                long done = 0;
                for (int i = 0; i < n; i++) {
                    Go.sleep(SLEEP);
                    done++;
                }
                return done;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public long runVirtual(int n) throws Exception {
        Workload.requireN(n, 0, name());
        return Workload.inVirtualThread(() -> {
            long done = 0;
            for (int i = 0; i < n; i++) {
                Thread.sleep(SLEEP);
                done++;
            }
            return done;
        });
    }
}
