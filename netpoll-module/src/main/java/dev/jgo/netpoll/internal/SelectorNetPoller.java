package dev.jgo.netpoll.internal;

import dev.jgo.Goroutine;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.NetPoller;
import dev.jgo.spi.Scheduler;
import dev.jgo.spi.TimerQueue;
import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The network poller on a {@link Selector} (epoll on Linux): Go's {@code netpoll_epoll.go} plus
 * the deadline handling of {@code netpoll.go}.
 *
 * <h2>Design note: who polls</h2>
 *
 * As in Go, the scheduler polls: a runtime attaches as a driver ({@link #attachDriver}) when it
 * first sees the poller initialised; then its Ms poll without blocking in findRunnable when
 * goroutines wait on the network, its last idle M blocks in {@link #poll} until the next timer,
 * and its sysmon polls when nobody has for 10 ms. One thread polls at a time ({@link #pollLock},
 * tried, never waited for: a second caller gets null and parks the ordinary way). While no
 * runtime drives the poller (a container bridge that does not forward {@code attachDriver}, say)
 * its own daemon thread ({@code jgo-netpoll}) blocks in {@link #poll} and readies what it returns
 * through {@link Scheduler#ready}. That thread exists only while it is needed, so that no thread
 * outlives the runtimes that used the network:
 *
 * <ol>
 *   <li>It is started ({@link #ownThreadIfNeeded}) when a goroutine arms a wait ({@link #waiters}
 *       goes up) or the last driver leaves, if then no runtime drives the poller and a goroutine
 *       waits; {@link #threadRunning} (CAS) makes it one thread.
 *   <li>It polls while no driver is attached and a goroutine waits; a driver's arrival and the
 *       last waiter's departure break it out of its select.
 *   <li>To end, it clears {@link #threadRunning} (volatile), then re-reads {@code drivers} and
 *       {@code waiters}; a waiter increments {@code waiters}, then reads {@code threadRunning}.
 *       Both write then read volatiles, so either the thread sees the new waiter and carries on,
 *       or the waiter sees the thread gone and starts one.
 * </ol>
 *
 * <p>{@code waiters} counts the mode slots that hold a waiter (Go's {@code pdWait} or a parked
 * goroutine), changed only at the CAS that fills or empties a slot, so a goroutine abandoned by a
 * closed runtime does not keep it up once its descriptor is closed.
 *
 * <h2>Design note: whose descriptors</h2>
 *
 * One poller serves every runtime of the JVM, and closing a runtime must close its sockets (the
 * port refuses, peers see the end). Each descriptor registered by a goroutine records that
 * goroutine's runtime ({@link PollDescImpl#owner}) and sits in {@link #owned} under it until it
 * is closed; {@link #closeOwned} takes the runtime's whole set out of the map and closes it. The
 * sets change only inside the map's per-key {@code compute}, so an add racing the removal of an
 * emptied set is never lost, and a runtime with no open descriptor has no entry: nothing of a
 * closed runtime stays behind. Descriptors made on plain threads belong to no runtime.
 *
 * <p>Interest is level-triggered and armed only while a goroutine waits: {@link
 * PollDescImpl#waitIO} ORs the mode's operations into the key and calls {@link #wakeup} so the
 * selector picks the change up; the poller clears the operations it saw ready.
 *
 * <p>Deadlines live in a heap ordered by time, guarded by {@link #deadlineLock}; the poller
 * sleeps until the earliest and wakes the waiters whose deadline passed (Go uses runtime timers).
 */
public final class SelectorNetPoller implements NetPoller {

    private static final System.Logger LOG = System.getLogger("dev.jgo");

    private volatile Selector selector;

    /** Go's {@code netpollWakeSig}: set while a wake-up is pending, so a burst costs one. */
    private final AtomicBoolean wakeSig = new AtomicBoolean();

    /** Go's {@code netpollWaiters}. */
    final AtomicInteger waiters = new AtomicInteger();

    /** Held by the one thread polling now; see "who polls". */
    private final ReentrantLock pollLock = new ReentrantLock();

    /** Runtimes whose Ms poll; the own thread polls only while this is 0. */
    private final AtomicInteger drivers = new AtomicInteger();

    /** Goroutines the own thread readied (tests: zero growth while a runtime drives). */
    final AtomicLong ownThreadWakes = new AtomicLong();

    private final Object deadlineLock = new Object();

    /** Pending deadlines (guarded by deadlineLock); stale entries are skipped when they fire. */
    private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>();

    /** The time the poller sleeps until (0: until an event); guarded by deadlineLock. */
    private long sleepUntil;

    private record Deadline(long when, PollDescImpl pd, int mode) implements Comparable<Deadline> {
        @Override
        public int compareTo(Deadline o) {
            return Long.compare(when, o.when);
        }
    }

    /** Set once by {@link #close}: no new descriptors. */
    private volatile boolean stopped;

    /** Set by {@link #close} once every descriptor is closed: the poller thread ends. */
    private volatile boolean ending;

    /** Registrations in progress (see {@link #close}). */
    private final AtomicInteger registering = new AtomicInteger();

    /** The latest own poller thread, null before the first one started. */
    private volatile Thread thread;

    /** Whether an own poller thread runs (see "who polls", step 3). */
    private final AtomicBoolean threadRunning = new AtomicBoolean();

    /** Open descriptors by owning runtime (see "whose descriptors"). */
    private final ConcurrentHashMap<Scheduler, Set<PollDescImpl>> owned = new ConcurrentHashMap<>();

    /** Whether the own thread's last poll failed (reported once per burst). Own thread only. */
    private boolean pollFailing;

    public SelectorNetPoller() {}

    @Override
    public synchronized void init() throws IOException {
        if (stopped) {
            throw new IllegalStateException(STOPPED);
        }
        if (selector != null) {
            return;
        }
        selector = Selector.open(); // the own thread starts when first needed (see "who polls")
    }

    /** Why descriptors of a closed poller fail. */
    static final String STOPPED = "the network poller is stopped (jgo-netpoll bundle stopped)";

    /** Whether {@link #close} was called. */
    boolean stopped() {
        return stopped;
    }

    /**
     * Stops the poller (the deactivation of jgo-netpoll's component, when its bundle stops):
     * refuses new descriptors, closes every registered one (its waiters wake and throw a {@code
     * SocketException} naming the stopped poller), ends the poller thread and closes the
     * selector. Idempotent. Plain use on the class path never calls it: that poller lives as long
     * as the JVM.
     *
     * <p>Concurrency: any thread that is not a goroutine.
     */
    public void close() {
        Selector sel;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true; // volatile write, then read registering: see register()
            sel = selector;
        }
        if (sel == null) {
            return;
        }
        // Dekker with register(): each writes its flag, then reads the other's (both volatile), so
        // a registration either saw stopped and refused, or is counted here and its key is in the
        // set read below once the count is back at 0.
        while (registering.get() != 0) {
            Thread.onSpinWait();
        }
        List<SelectionKey> keys;
        for (; ; ) {
            try {
                keys = new ArrayList<>(sel.keys()); // the poller thread may deregister meanwhile
                break;
            } catch (java.util.ConcurrentModificationException e) {
                Thread.onSpinWait();
            }
        }
        List<SelectableChannel> chs = new ArrayList<>();
        for (SelectionKey k : keys) {
            if (k.attachment() instanceof PollDescImpl pd && pd.closeNoWait()) {
                chs.add(pd.ch); // its waiters woke
            }
        }
        awaitReleased(chs);
        ending = true; // volatile write: the loop ends after its current poll, and none starts
        sel.wakeup();
        Thread t = thread; // read after ending: a thread started before it is this one
        if (t != null) {
            LockSupport.unpark(t); // perhaps in its back-off park
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            sel.close();
        } catch (IOException e) {
            // closing: nothing left to serve
        }
    }

    /**
     * Starts the own poller thread if a goroutine waits and no runtime drives the poller (see
     * "who polls", step 1). A failure to start it is reported; the next waiter or departing
     * driver tries again.
     *
     * <p>Concurrency: any thread, after its own change to {@code waiters} or {@code drivers}.
     */
    void ownThreadIfNeeded() {
        if (drivers.get() != 0 || waiters.get() == 0 || ending || !threadRunning.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(this::loop, "jgo-netpoll");
        t.setDaemon(true);
        thread = t;
        try {
            t.start();
        } catch (OutOfMemoryError e) { // "unable to create native thread"
            threadRunning.set(false);
            LOG.log(
                    System.Logger.Level.ERROR,
                    "jgo: cannot start the network poller's thread (" + e + ");"
                            + " goroutines waiting on the network wake when a runtime polls",
                    e);
        }
    }

    /** A mode slot now holds a waiter (see "who polls"). Concurrency: any thread. */
    void waiterArmed() {
        waiters.incrementAndGet(); // volatile RMW, then read threadRunning: step 3
        ownThreadIfNeeded();
    }

    /** A mode slot no longer holds a waiter. Concurrency: any thread. */
    void waiterGone() {
        if (waiters.decrementAndGet() == 0 && threadRunning.get()) {
            wakeup(); // the own thread ends (step 2)
        }
    }

    /**
     * The own poller thread: polls while no runtime drives the poller and a goroutine waits, and
     * readies what it finds; then ends (see "who polls").
     */
    private void loop() {
        for (; ; ) {
            while (!ending && drivers.get() == 0 && waiters.get() > 0) {
                try {
                    List<Wake> ws = poll(-1);
                    if (ws == null) { // another thread is polling
                        LockSupport.parkNanos(this, 1_000_000);
                        continue;
                    }
                    pollFailing = false;
                    ownThreadWakes.addAndGet(ws.size());
                    readyAll(ws);
                } catch (Throwable e) { // this thread never dies of what it polls or readies
                    if (!pollFailing) { // reported once per burst; the waiters are served on recovery
                        pollFailing = true;
                        LOG.log(
                                System.Logger.Level.ERROR,
                                "jgo: the network poller's thread failed to poll (" + e + "); retrying",
                                e);
                    }
                    LockSupport.parkNanos(this, 10_000_000); // no busy loop on a persistent failure
                }
            }
            threadRunning.set(false); // volatile write, then the re-reads below: step 3
            if (ending || drivers.get() != 0 || waiters.get() == 0 || !threadRunning.compareAndSet(false, true)) {
                return;
            }
        }
    }

    /**
     * Tracks {@code pd} under its owner (see "whose descriptors"). Concurrency: any thread.
     */
    private void track(PollDescImpl pd) {
        owned.compute(pd.owner, (k, set) -> {
            Set<PollDescImpl> s = set != null ? set : new HashSet<>();
            s.add(pd);
            return s;
        });
    }

    /** Forgets a closed descriptor; drops its owner's entry once empty. Concurrency: any thread. */
    void untrack(PollDescImpl pd) {
        if (pd.owner != null) {
            owned.computeIfPresent(pd.owner, (k, set) -> set.remove(pd) && set.isEmpty() ? null : set);
        }
    }

    /** Whether {@code s} has open descriptors here (tests: a closed runtime has none). */
    boolean owns(Scheduler s) {
        return owned.containsKey(s);
    }

    /** Whether an own poller thread runs now (tests). */
    boolean ownThreadRunning() {
        return threadRunning.get();
    }

    @Override
    public void closeOwned(Scheduler owner) {
        Set<PollDescImpl> set = owned.remove(owner);
        if (set == null) {
            return;
        }
        List<SelectableChannel> chs = new ArrayList<>();
        for (PollDescImpl pd : set) { // the set left the map: nobody changes it any more
            if (pd.closeNoWait()) {
                chs.add(pd.ch);
            }
        }
        awaitReleased(chs);
    }

    /**
     * Waits until the selector has released {@code chs}: a registered channel's descriptor is
     * closed only when its key is deregistered, at the next select, so a listener would still
     * accept and a peer would see no end until then. Polls without blocking itself when no other
     * thread polls, else yields (a goroutine) or parks briefly; gives up after a second.
     *
     * <p>Concurrency: any thread.
     */
    void awaitReleased(List<SelectableChannel> chs) {
        long end = System.nanoTime() + 1_000_000_000L;
        for (SelectableChannel ch : chs) {
            while (ch.isRegistered() && System.nanoTime() < end) {
                if (flush()) {
                    continue;
                }
                Carrier c = Carrier.currentOrNull();
                if (c != null) {
                    c.gosched();
                } else {
                    LockSupport.parkNanos(100_000);
                }
            }
        }
    }

    /** One non-blocking poll, its goroutines readied; false if another thread polls or it fails. */
    private boolean flush() {
        try {
            List<Wake> ws = poll(0);
            if (ws == null) {
                return false;
            }
            readyAll(ws);
            return true;
        } catch (IOException | RuntimeException e) { // a closed selector has released everything
            return false;
        }
    }

    /** Runtimes driving the poller now. */
    int drivers() {
        return drivers.get();
    }

    @Override
    public AutoCloseable attachDriver() {
        if (drivers.getAndIncrement() == 0) {
            wakeup(); // break the own thread out of its select: it ends
        }
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true) && drivers.decrementAndGet() == 0) {
                ownThreadIfNeeded(); // goroutines of runtimes that do not drive may still wait
            }
        };
    }

    @Override
    public PollDesc register(SelectableChannel ch, int readOps, int writeOps) throws IOException {
        registering.incrementAndGet(); // volatile RMW, then read stopped: see close()
        try {
            if (stopped) {
                throw new IllegalStateException(STOPPED);
            }
            Carrier c = Carrier.currentOrNull();
            PollDescImpl pd = new PollDescImpl(this, ch, readOps, writeOps, c != null ? c.scheduler() : null);
            ch.configureBlocking(false);
            pd.key = ch.register(selector, 0, pd);
            if (pd.owner != null) {
                track(pd);
            }
            return pd;
        } finally {
            registering.decrementAndGet();
        }
    }

    @Override
    public List<Wake> poll(long delayNanos) throws IOException {
        if (!pollLock.tryLock()) {
            return null; // another thread polls: see "who polls"
        }
        try {
            return pollLocked(delayNanos);
        } finally {
            pollLock.unlock();
        }
    }

    private List<Wake> pollLocked(long delayNanos) throws IOException {
        Selector sel = selector;
        long now = TimerQueue.nanotime();
        long until;
        synchronized (deadlineLock) {
            Deadline d = deadlines.peek();
            until = delayNanos < 0 ? 0 : now + delayNanos;
            if (d != null && (until == 0 || d.when < until)) {
                until = d.when;
            }
            sleepUntil = until;
        }
        if (delayNanos == 0 || (until != 0 && until <= now)) {
            sel.selectNow();
        } else if (until == 0) {
            sel.select();
        } else {
            long ms = Math.max(1, (until - now + 999_999) / 1_000_000);
            sel.select(ms);
        }
        wakeSig.set(false);
        synchronized (deadlineLock) {
            sleepUntil = 0;
        }
        List<Wake> out = new ArrayList<>();
        Iterator<SelectionKey> it = sel.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey k = it.next();
            it.remove();
            PollDescImpl pd = (PollDescImpl) k.attachment();
            int ready;
            try {
                ready = k.readyOps();
                k.interestOpsAnd(~ready);
            } catch (CancelledKeyException e) {
                continue; // closed: close() woke its waiters
            }
            if ((ready & pd.readOps) != 0) {
                pd.unblock(READ, true, out);
            }
            if ((ready & pd.writeOps) != 0) {
                pd.unblock(WRITE, true, out);
            }
        }
        expireDeadlines(out);
        return out;
    }

    private void expireDeadlines(List<Wake> out) {
        long now = TimerQueue.nanotime();
        for (; ; ) {
            Deadline d;
            synchronized (deadlineLock) {
                d = deadlines.peek();
                if (d == null || d.when > now) {
                    return;
                }
                deadlines.poll();
            }
            if (d.pd.expired(d.mode, now)) {
                d.pd.unblock(d.mode, false, out);
            }
        }
    }

    /** Queues a deadline; wakes the poller if it sleeps past it. Concurrency: any thread. */
    void addDeadline(PollDescImpl pd, int mode, long when) {
        boolean wake;
        synchronized (deadlineLock) {
            deadlines.add(new Deadline(when, pd, mode));
            wake = sleepUntil == 0 || when < sleepUntil;
        }
        if (wake) {
            wakeup();
        }
    }

    @Override
    public void wakeup() {
        if (wakeSig.compareAndSet(false, true)) {
            Selector sel = selector;
            if (sel != null) {
                sel.wakeup();
            }
        }
    }

    @Override
    public int waiters() {
        return waiters.get();
    }

    @Override
    public Listener listen(String host, int port) throws IOException {
        return TcpListener.listen(this, host, port);
    }

    @Override
    public Conn dial(String host, int port) throws IOException {
        return TcpConn.dial(this, host, port);
    }

    /** Readies the woken goroutines from the caller's thread (close, an expired deadline). */
    static void readyAll(List<Wake> ws) {
        for (Wake w : ws) {
            try {
                w.scheduler().ready(w.g());
            } catch (RuntimeException e) {
                // runtime closed
            }
        }
    }

    static boolean isGoroutine(Object o) {
        return o instanceof Goroutine;
    }
}
