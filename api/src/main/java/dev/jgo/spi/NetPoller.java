package dev.jgo.spi;

import dev.jgo.Goroutine;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * The network poller (Go's {@code runtime/netpoll.go}): poll descriptors for non-blocking
 * channels, whose blocking operations park the calling goroutine until the channel is ready, its
 * deadline passes or it is closed. Found with {@link ServiceLoader} (module {@code jgo-netpoll},
 * {@code dev.jgo.netpoll.internal}); one poller serves the whole JVM. Without it on the class path
 * the runtime works, but {@code dev.jgo.net.Net} throws {@link IllegalStateException}.
 *
 * <p>Times are {@link TimerQueue#nanotime()} values; 0 means "no deadline".
 */
public interface NetPoller {

    /** Read mode: readable or, for a server channel, acceptable. */
    int READ = 1;

    /** Write mode: writable or, for a connecting channel, connected. */
    int WRITE = 2;

    /** A goroutine the poller made runnable, and the scheduler it belongs to. */
    record Wake(Scheduler scheduler, Goroutine g) {}

    /**
     * A registered channel (Go's {@code pollDesc}). Each mode holds Go's waiter state: empty,
     * ready (an event arrived with nobody waiting), waiting (a goroutine is about to park) or the
     * parked goroutine. At most one goroutine may wait per mode.
     */
    interface PollDesc {
        /**
         * Port of {@code poll_runtime_pollWait}: parks the calling goroutine until the channel
         * may be ready for {@code mode} ({@link #READ} or {@link #WRITE}). May return spuriously;
         * callers retry their operation. Interest in the event is armed only while waiting.
         *
         * @throws java.net.SocketTimeoutException if the mode's deadline has passed
         * @throws java.net.SocketException if the descriptor is closed
         */
        void waitIO(int mode) throws IOException;

        /**
         * Port of {@code poll_runtime_pollCheckErr}: throws as {@link #waitIO} would, without
         * waiting.
         */
        void checkErr(int mode) throws IOException;

        /**
         * Port of {@code poll_runtime_pollSetDeadline}: sets the deadline of {@code mode} ({@link
         * #READ}, {@link #WRITE} or both ORed); 0 clears it. A deadline already passed wakes the
         * waiters at once. Concurrency: any thread.
         */
        void setDeadline(int mode, long deadline);

        /**
         * Port of {@code poll_runtime_pollUnblock} and {@code pollClose}: marks the descriptor
         * closing, wakes its waiters (they throw), deregisters and closes the channel. Idempotent.
         */
        void close();

        /** Whether {@link #close} was called. */
        boolean closing();
    }

    /** Port of {@code netpollinit}: opens the selector; idempotent. */
    void init() throws IOException;

    /**
     * Port of {@code poll_runtime_pollOpen}: registers a non-blocking channel. {@code readOps} and
     * {@code writeOps} are the {@link java.nio.channels.SelectionKey} operations that mean
     * "ready" for each mode (e.g. {@code OP_ACCEPT} for a server channel).
     */
    PollDesc register(SelectableChannel ch, int readOps, int writeOps) throws IOException;

    /**
     * Port of {@code netpoll(delay)}: waits up to {@code delayNanos} (negative: until an event or
     * {@link #wakeup}; 0: do not block) and returns the goroutines to make runnable. One thread
     * polls at a time (the selector serializes selection): while another thread is polling this
     * returns null at once instead of waiting for it.
     */
    List<Wake> poll(long delayNanos) throws IOException;

    /**
     * Scheduler integration (Go's netpoll in findRunnable, the last idle M blocked in the poller,
     * sysmon's 10 ms poll): a runtime whose Ms poll attaches as a driver, and closes the handle
     * when it closes. While no runtime drives it, the poller polls on a thread of its own.
     * Concurrency: any thread.
     */
    default AutoCloseable attachDriver() {
        return () -> {};
    }

    /**
     * Closes every descriptor registered by a goroutine of {@code owner} (a runtime being closed)
     * and not closed yet: listeners stop accepting (the port refuses), connections close (peers
     * see end-of-stream or a reset), and goroutines waiting on them wake with an error. Returns
     * once the descriptors are released (bounded: about a second at most). Descriptors
     * registered from plain threads belong to no runtime. A later registration by a goroutine of
     * {@code owner} is tracked again (call this again to close it). The default does nothing,
     * for pollers that do not track owners. Concurrency: any thread that is not a goroutine of
     * {@code owner}.
     */
    default void closeOwned(Scheduler owner) {}

    /**
     * The poller {@link #get()} would return if it has been initialised (some goroutine used
     * the network), else null; never loads or initialises one. A cheap read for the scheduler.
     */
    static NetPoller initialised() {
        NetPoller i = Holder.INSTANCE.installed;
        return i != null ? i : Holder.INSTANCE.poller;
    }

    /** Port of {@code netpollBreak}: interrupts a blocked {@link #poll}; a burst costs one. */
    void wakeup();

    /** Goroutines parked in this poller now (Go's {@code netpollWaiters}). */
    int waiters();

    /** {@code dev.jgo.net.Net#listen}. */
    Listener listen(String host, int port) throws IOException;

    /** {@code dev.jgo.net.Net#dial}. */
    Conn dial(String host, int port) throws IOException;

    /**
     * The poller found with {@link ServiceLoader}, initialised on first use.
     *
     * @throws IllegalStateException if no implementation (jgo-netpoll) is on the class path
     */
    static NetPoller get() {
        return Holder.INSTANCE.get();
    }

    /**
     * Makes {@link #get()} return {@code p} instead of the poller found with {@link
     * ServiceLoader}: a container's bridge to the poller its service registry offers (which
     * {@code ServiceLoader} cannot see across bundles). The caller initialises it. Concurrency:
     * any thread.
     */
    static void install(NetPoller p) {
        Objects.requireNonNull(p, "poller");
        synchronized (Holder.INSTANCE) {
            Holder.INSTANCE.installed = p;
        }
    }

    /**
     * Undoes {@link #install} if {@code p} is still the installed poller; {@link #get()} then
     * falls back to {@link ServiceLoader}. Concurrency: any thread.
     */
    static void uninstall(NetPoller p) {
        synchronized (Holder.INSTANCE) {
            if (Holder.INSTANCE.installed == p) {
                Holder.INSTANCE.installed = null;
            }
        }
    }

    /** Lazily loaded instance. */
    final class Holder {
        private Holder() {}

        static final Holder INSTANCE = new Holder();

        private volatile NetPoller poller;

        /** Set by {@link NetPoller#install}; wins over {@link #poller}. */
        private volatile NetPoller installed;

        NetPoller get() {
            NetPoller i = installed;
            if (i != null) {
                return i;
            }
            NetPoller p = poller;
            if (p != null) {
                return p;
            }
            synchronized (this) {
                if (poller == null) {
                    NetPoller found = ServiceLoader.load(NetPoller.class, NetPoller.class.getClassLoader())
                            .findFirst()
                            .orElseThrow(() -> new IllegalStateException("no network poller in this runtime: put"
                                    + " jgo-netpoll (dev.jgo.netpoll, the netpoll-module) on the class path to use"
                                    + " dev.jgo.net"));
                    try {
                        found.init();
                    } catch (IOException e) {
                        throw new IllegalStateException("cannot open the network poller: " + e, e);
                    }
                    poller = found;
                }
                return poller;
            }
        }
    }
}
