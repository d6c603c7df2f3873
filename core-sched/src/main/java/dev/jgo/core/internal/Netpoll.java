package dev.jgo.core.internal;

import dev.jgo.spi.NetPoller;
import java.util.List;

/**
 * The runtime's side of the network poller (see "network poller" in {@link Sched#netpoller}): the
 * poll of Ms and sysmon (Go's {@code netpoll(delay)}), the readying of what it returned (Go's
 * {@code injectglist}) and the close of this runtime's descriptors.
 */
final class Netpoll {

    private Netpoll() {}

    /**
     * netpoll: closes every listener and connection this runtime's goroutines opened (close):
     * their peers see end-of-stream, the port refuses, and goroutines parked on them wake with an
     * error. The poller is shared by the JVM's runtimes, so it closes only the descriptors it
     * tracks as this runtime's ({@link NetPoller#closeOwned}).
     *
     * <p>Concurrency: any thread, not a goroutine of this runtime.
     */
    static void closeNetwork(Sched sched) {
        NetPoller seen = NetPoller.initialised();
        NetPoller np = sched.netpoller;
        if (seen != null) {
            seen.closeOwned(sched.rt);
        }
        if (np != null && np != seen) {
            np.closeOwned(sched.rt);
        }
    }

    /**
     * netpoll(delay) for Ms and sysmon: the goroutines to ready, null if another thread is
     * polling. A failure of the poller is reported through {@link Sched#LOG} once per burst, with its
     * cause, and reads as "another thread is polling" (null): the caller parks or polls again a
     * round later instead of spinning on the failure, and the runtime recovers when the poller
     * does (a closed poller has woken its waiters with an error already).
     *
     * <p>Concurrency: any thread.
     */
    static List<NetPoller.Wake> netpoll(NetPoller np, long delayNanos) {
        try {
            List<NetPoller.Wake> ws = np.poll(delayNanos);
            if (netpollFailing) {
                netpollFailing = false; // the burst is over: report the next failure again
            }
            return ws;
        } catch (java.io.IOException | RuntimeException e) {
            if (!netpollFailing) {
                netpollFailing = true;
                Sched.LOG.log(
                        System.Logger.Level.ERROR,
                        "jgo: the network poll failed (" + e + "); goroutines waiting on"
                                + " the network wake when it recovers",
                        e);
            }
            return null;
        }
    }

    /**
     * Whether the last network poll failed (reported once per burst). JVM-wide, as the poller it
     * describes; a racy flag: two threads failing at once may both report.
     */
    private static volatile boolean netpollFailing;

    /**
     * netpoll: readies the goroutines a poll returned, each through its own runtime; this
     * runtime's go to {@code mp}'s P (or the global queue when {@code mp} holds none).
     *
     * <p>Concurrency: any thread; {@code mp} the calling M or null.
     */
    static void injectNet(Sched sched, List<NetPoller.Wake> ws, M mp) {
        boolean queued = false;
        for (NetPoller.Wake w : ws) {
            if (w.scheduler() == sched.rt) {
                queued |= Ready.readyQueued(sched, (G) w.g(), mp); // one wakep for the batch, below
            } else {
                try {
                    w.scheduler().ready(w.g());
                } catch (RuntimeException e) {
                    // that runtime is closed: nothing to run the goroutine on
                }
            }
        }
        if (queued) {
            Ms.wakep(sched); // Go's injectglist starts Ms for the batch; the spinning M it wakes wakes more
        }
    }
}
