package dev.jgo.netpoll.internal;

import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.NetPoller;
import dev.jgo.spi.Scheduler;
import dev.jgo.spi.TimerQueue;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Go's {@code pollDesc}. Each mode's waiter slot ({@code rg}, {@code wg}) holds null (nothing),
 * {@link #READY} ({@code pdReady}: an event with nobody waiting), {@link #WAIT} ({@code pdWait}: a
 * goroutine is about to park) or the parked {@link Goroutine}.
 */
final class PollDescImpl implements NetPoller.PollDesc {

    static final Object READY = new Object() {
        @Override
        public String toString() {
            return "pdReady";
        }
    };

    static final Object WAIT = new Object() {
        @Override
        public String toString() {
            return "pdWait";
        }
    };

    private final SelectorNetPoller poller;
    final SelectableChannel ch;
    /**
     * The runtime whose goroutine registered this descriptor, closed with it (see
     * SelectorNetPoller "whose descriptors"); null when a plain thread registered it.
     */
    final Scheduler owner;

    final int readOps;
    /** OP_CONNECT while a dial connects, then OP_WRITE. */
    volatile int writeOps;

    volatile SelectionKey key;

    private final AtomicReference<Object> rg = new AtomicReference<>();
    private final AtomicReference<Object> wg = new AtomicReference<>();

    /** Scheduler of the goroutine waiting in each mode (set before it parks). */
    private volatile Scheduler rsched;

    private volatile Scheduler wsched;

    /** Deadlines (nanotime; 0 none). */
    private volatile long rd;

    private volatile long wd;

    /** Last deadline queued with the poller per mode, so a wait does not queue it twice. */
    private volatile long rdQueued;

    private volatile long wdQueued;

    private volatile boolean closing;

    PollDescImpl(SelectorNetPoller poller, SelectableChannel ch, int readOps, int writeOps, Scheduler owner) {
        this.poller = poller;
        this.ch = ch;
        this.owner = owner;
        this.readOps = readOps;
        this.writeOps = writeOps;
    }

    private AtomicReference<Object> slot(int mode) {
        return mode == NetPoller.READ ? rg : wg;
    }

    boolean expired(int mode, long now) {
        long d = mode == NetPoller.READ ? rd : wd;
        return d != 0 && d <= now;
    }

    /** Whether the poller that made this descriptor was closed (its bundle stopped). */
    boolean pollerStopped() {
        return poller.stopped();
    }

    @Override
    public boolean closing() {
        return closing;
    }

    @Override
    public void checkErr(int mode) throws IOException {
        if (closing) {
            throw new SocketException(
                    poller.stopped()
                            ? "use of closed network connection: " + SelectorNetPoller.STOPPED
                            : "use of closed network connection");
        }
        if (expired(mode, TimerQueue.nanotime())) {
            throw new SocketTimeoutException("i/o timeout");
        }
    }

    private boolean hasErr(int mode) {
        return closing || expired(mode, TimerQueue.nanotime());
    }

    /** Port of netpollblock plus the error check of poll_runtime_pollWait. */
    @Override
    public void waitIO(int mode) throws IOException {
        checkErr(mode);
        Carrier c = Carrier.current();
        AtomicReference<Object> gpp = slot(mode);
        for (; ; ) {
            Object old = gpp.get();
            if (old == READY) {
                if (gpp.compareAndSet(READY, null)) {
                    return;
                }
                continue;
            }
            if (old != null) {
                throw new IllegalStateException("two goroutines wait on one connection in the same mode");
            }
            if (gpp.compareAndSet(null, WAIT)) {
                poller.waiterArmed(); // counted while the slot holds WAIT or the goroutine
                break;
            }
        }
        Scheduler s = c.scheduler();
        if (mode == NetPoller.READ) {
            rsched = s;
        } else {
            wsched = s;
        }
        long d = mode == NetPoller.READ ? rd : wd;
        if (d != 0) {
            long queued = mode == NetPoller.READ ? rdQueued : wdQueued;
            if (queued != d) {
                if (mode == NetPoller.READ) {
                    rdQueued = d;
                } else {
                    wdQueued = d;
                }
                poller.addDeadline(this, mode, d);
            }
        }
        // arm interest only while waiting; the selector takes the change at its next select
        try {
            key.interestOpsOr(mode == NetPoller.READ ? readOps : writeOps);
            poller.wakeup();
        } catch (CancelledKeyException e) {
            // closing: hasErr below sees it
        }
        // Go: recheck the error states after setting pdWait, so close or an expired deadline
        // racing with us is not missed
        if (!hasErr(mode)) {
            s.addWaker(1); // a network waiter can still wake goroutines: no deadlock
            try {
                c.park(WaitReason.IO_WAIT, gpp, (g, lock) -> gpp.compareAndSet(WAIT, g));
            } finally {
                s.addWaker(-1);
            }
        }
        if (isWaiter(gpp.getAndSet(null))) {
            poller.waiterGone();
        }
        checkErr(mode);
    }

    /**
     * Port of netpollunblock: with {@code ioready} an event marks the slot ready; otherwise
     * (deadline, close) the slot is emptied. A parked goroutine is added to {@code out}.
     */
    void unblock(int mode, boolean ioready, List<NetPoller.Wake> out) {
        AtomicReference<Object> gpp = slot(mode);
        for (; ; ) {
            Object old = gpp.get();
            if (old == READY) {
                return;
            }
            if (old == null && !ioready) {
                return;
            }
            Object nw = ioready ? READY : null;
            if (gpp.compareAndSet(old, nw)) {
                if (isWaiter(old)) {
                    poller.waiterGone();
                }
                if (old instanceof Goroutine g) {
                    out.add(new NetPoller.Wake(mode == NetPoller.READ ? rsched : wsched, g));
                }
                return;
            }
        }
    }

    /** Whether a slot value is a waiter (pdWait or a parked goroutine), counted in waiters. */
    private static boolean isWaiter(Object v) {
        return v == WAIT || v instanceof Goroutine;
    }

    @Override
    public void setDeadline(int mode, long deadline) {
        long now = TimerQueue.nanotime();
        List<NetPoller.Wake> out = new ArrayList<>(2);
        for (int m : new int[] {NetPoller.READ, NetPoller.WRITE}) {
            if ((mode & m) == 0) {
                continue;
            }
            if (m == NetPoller.READ) {
                rd = deadline;
            } else {
                wd = deadline;
            }
            if (deadline != 0 && deadline <= now) {
                unblock(m, false, out); // already passed: wake the waiter, it throws
            } else if (deadline != 0 && slot(m).get() != null) {
                // a goroutine waits: make sure the poller wakes it at the new deadline
                if (m == NetPoller.READ) {
                    rdQueued = deadline;
                } else {
                    wdQueued = deadline;
                }
                poller.addDeadline(this, m, deadline);
            }
        }
        SelectorNetPoller.readyAll(out);
    }

    @Override
    public void close() {
        if (closeNoWait()) {
            poller.awaitReleased(List.of(ch)); // so a closed listener refuses connections at once
        }
    }

    /**
     * The first half of {@link #close}: marks the descriptor closing, wakes its waiters (they
     * throw), cancels its key and closes the channel, without waiting for the selector to release
     * the descriptor ({@link SelectorNetPoller#awaitReleased}). Returns false if it was closing
     * already.
     *
     * <p>Concurrency: any thread.
     */
    boolean closeNoWait() {
        if (closing) {
            return false;
        }
        closing = true;
        List<NetPoller.Wake> out = new ArrayList<>(2);
        unblock(NetPoller.READ, false, out);
        unblock(NetPoller.WRITE, false, out);
        SelectorNetPoller.readyAll(out);
        SelectionKey k = key;
        if (k != null) {
            k.cancel();
        }
        try {
            ch.close();
        } catch (IOException e) {
            // nothing to report: the descriptor is gone either way
        }
        poller.untrack(this);
        poller.wakeup(); // the selector releases the descriptor at its next select
        return true;
    }
}
