package dev.jgo.core.internal;

import dev.jgo.Goroutine;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.NetPoller;
import dev.jgo.spi.RuntimeConfig;
import dev.jgo.spi.SchedEvents;
import dev.jgo.spi.SpinLock;
import dev.jgo.spi.SpinPolicy;
import dev.jgo.spi.StealPolicy;
import dev.jgo.spi.TimerQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The scheduler's global state, Go's {@code schedt} with the functions that work on it: the idle
 * M and P lists, the global run queue, {@code wakep}, {@code startm}, {@code handoffp}, {@code
 * newproc}, {@code ready}, the goroutine free list and {@code checkdead}. The per-M schedule loop
 * is in {@link M}.
 *
 * <h2>Design note: Worker thread parking/unparking</h2>
 *
 * The problem and the rejected approaches are the seed's (its header comment of the same title):
 * centralised state does not scale, direct hand-off thrashes threads and destroys locality, and
 * waking a thread for every readied goroutine makes threads park as soon as they wake. The
 * protocol, as in Go:
 *
 * <ol>
 *   <li>An M out of local work may become <em>spinning</em> ({@code M.spinning}, counted in
 *       {@link #nmspinning}) if the {@link SpinPolicy} allows (Go: {@code 2*nmspinning <
 *       gomaxprocs-npidle}); a spinning M looks in other Ps' run queues before parking.
 *   <li>Readying a goroutine: submit it to a run queue, then a StoreLoad fence, then {@link
 *       #wakep}: if there is an idle P and no spinning M, start one spinning M. A started M is
 *       spinning from birth; it gets no goroutine handed to it.
 *   <li>A spinning M that finds work stops spinning ({@link FindRunnable#resetspinning}); if it was the last
 *       spinner it calls {@code wakep} so that further queued work gets a thread.
 *   <li>A spinning M that finds nothing gives up its P, decrements {@code nmspinning}, then a
 *       StoreLoad fence (the atomic decrement), then re-checks every P's run queue and the global
 *       queue; work found there makes it take an idle P and spin again. Only then does it park.
 * </ol>
 *
 * Steps 2 and 4 are the two halves of a Dekker pattern: either the submitter sees the spinner
 * (no wake needed, the spinner re-checks) or the spinner's re-check sees the work.
 *
 * <h2>Design note: the global run queue</h2>
 *
 * Go guards its global queue with sched.lock. jgo's ({@link GlobalRunQueue}) has a lock of its
 * own so that goroutines started from outside the runtime and overflowing Ps do not contend on
 * sched.lock. Go could rely on the lock to order "M finds the global queue empty, then becomes idle" against
 * "submitter puts then looks for idle Ps"; without the lock, an M that becomes idle re-checks the
 * global queue after {@link #pidleput} (an atomic increment of {@code npidle}, so a StoreLoad
 * fence), and a submitter fences after its put before reading {@code npidle}: one of the two sees
 * the other.
 *
 * <h2>Design note: Ownership</h2>
 *
 * Go has one runtime per process; jgo has as many as the JVM builds, and they share channels
 * and sync objects, so a goroutine of one runtime may wake a goroutine of another. Every G
 * belongs to the runtime that made it ({@link G#sched}, for its whole life) and runs only on that
 * runtime's carriers: its per-P counts, free lists and deadlock detection depend on it. Rejected:
 * letting the waker's runtime run it (that runtime counts an exit it never counted as a creation,
 * and the owner sees one goroutine fewer than it has, which fakes a deadlock). Protocol:
 *
 * <ol>
 *   <li>{@link Ready#ready} of a foreign G hands it to its own runtime's {@code ready} as a ready from
 *       outside (global queue, then that runtime's {@code wakep}). No other path queues a foreign
 *       G: newproc1 and the Ms queue only their own, and the network poller readies each G
 *       through its own runtime.
 *   <li>{@link Ready#readyQueued} asserts ownership.
 *   <li>For deadlock detection a goroutine of another runtime is an outside waker: while a
 *       goroutine waits for another runtime, the program holds a {@code Scheduler.addWaker}
 *       registration, as for a plain thread that will wake it.
 * </ol>
 *
 * <h2>Lock order</h2>
 *
 * {@code sched.lock} is the only scheduler lock; nothing else is taken while it is held, and no
 * policy or listener is called with it held.
 */
final class Sched {
    /** Where the runtime reports warnings and internal failures. */
    static final System.Logger LOG = System.getLogger("dev.jgo");

    // ---- immutable ----
    final CoreRuntime rt;
    final String name;
    final int maxmcount;
    /**
     * The scheduler event listener, null when none: see "attaching a tracer" in {@link
     * EventsMux}. Every site reads it once ({@code instanceof} binding): a detach may null it
     * between two reads.
     */
    volatile SchedEvents events;
    /** Go's {@code allgs}: every G allocated, for snapshots. */
    final AllGs allgs = new AllGs();

    final BiConsumer<Goroutine, Throwable> uncaughtHandler;
    final boolean randomize;
    /** Automatic hand-off threshold (0: off). See M "Automatic hand-off". */
    final long autoHandoffNanos;
    /** Builder.longRunWarning in ns, 0 when off (see LongRunWatch). */
    final long longRunWarningNanos;

    final int runqCapacity;
    final ThreadGroup threadGroup;

    // ---- any thread (lock-free) ----
    /** The global run queue ({@code sched.runq}). */
    final GlobalRunQueue runq = new GlobalRunQueue();
    /** Spinning Ms ({@code sched.nmspinning}). See "Worker thread parking/unparking". */
    final AtomicInteger nmspinning = new AtomicInteger();
    /** Idle Ps ({@code sched.npidle}). Written under sched.lock, read anywhere. */
    final AtomicInteger npidle = new AtomicInteger();
    /** Goroutine id generator ({@code sched.goidgen}). */
    final AtomicLong goidgen = new AtomicLong();
    /** Goroutines started from outside any P, and exited outside any P (not per-P counted). */
    final AtomicLong externalCreated = new AtomicLong();
    /** Things outside the scheduler that can still wake a goroutine (timers, net, callers). */
    final AtomicLong wakers = new AtomicLong();

    volatile StealPolicy stealPolicy;
    volatile SpinPolicy spinPolicy;
    volatile FairnessPolicy fairness;
    /** Whether runqput must timestamp runnext (the steal policy gates runnext by age). */
    volatile boolean trackRunnextAge;

    /** The sysmon thread, null until the runtime starts it. */
    volatile Sysmon sysmon;

    /** Set once by close(); Ms exit at their next schedule. */
    volatile boolean shutdown;
    /** Set once by an unhandled goroutine exception (die) or an internal failure (fail); the runtime is ended. */
    volatile Throwable fatal;

    /** Virtual time and the waits of Go.awaitBlocked (see Synctest "Virtual time"). */
    final Synctest synctest;
    /** The seed of every random scheduling choice, null for none (see Seeded). */
    final Long seed;

    /** timers: the timer module's factory, null if none is on the class path. See Timers. */
    final dev.jgo.spi.TimerQueueFactory timerFactory = Timers.loadFactory();
    /** timers: the M parked until the earliest timer (Go's M in netpoll); written under sched.lock. */
    volatile M timerWaiter;
    /** timers: that M's deadline, 0 if none ({@code sched.pollUntil}); written before timerWaiter. */
    volatile long pollUntil;

    /**
     * netpoll: 0 while an M of this runtime blocks in the poller, else the {@code nanotime} of
     * the last poll ({@code sched.lastpoll}); see "Network poller" in {@link #netpoller}.
     */
    final AtomicLong lastpoll = new AtomicLong(TimerQueue.nanotime());

    /** netpoll: the poller this runtime drives, null until some goroutine used the network. */
    volatile NetPoller netpoller;
    /** netpoll: this runtime's driver handle on {@link #netpoller}; guarded by {@code this}. */
    private AutoCloseable netpollDriver;

    /** Pending GoRuntime.run calls, failed together on deadlock, fatal error or close. */
    final Set<CompletableFuture<Object>> mains = ConcurrentHashMap.newKeySet();

    // ---- sched.lock ----
    /**
     * sched.lock. A {@link SpinLock}, not a ReentrantLock: goroutine code reaches it (wakep,
     * ready) and an owner-checked lock could see a stale current thread there (see SpinLock).
     * Critical sections are a few list operations and never block.
     */
    final SpinLock lock = new SpinLock();
    /**
     * All Ps with the idle and timer masks, one snapshot (see AllP "one snapshot for allp and its
     * masks"); replaced only by procresize. Invariant: a mask is indexed only with ids of the
     * same snapshot's Ps.
     */
    volatile AllP allP = AllP.EMPTY;
    /** {@code allP.ps}, published right after it, for readers that use no mask ({@code allp}). */
    volatile P[] allp;
    /** Every P ever made, by id; {@code allp} is a prefix (see World "procresize"). */
    volatile P[] everyP;
    /**
     * Stop-the-world and forEachP in progress: {@link World#GCWAITING} ({@code
     * sched.gcwaiting}) and {@link World#SAFE_POINT_FN} bits. Written under sched.lock; every
     * safe point reads it once (one predictable branch while it is 0).
     */
    volatile int safepoint;

    /** Stop-the-world, forEachP and procresize: see World. */
    final World world = new World(this);
    /** GOMAXPROCS: {@code allp.length}. */
    volatile int gomaxprocs;

    M midle;
    int nmidle;
    /** Ms created (Go: {@code mnext}); ids are 0..mnext-1. */
    int mnext;
    /** Ms that exited (shutdown). */
    int nmfreed;
    /** Every M that has not exited, for close() and the view (mexit removes an M). */
    final List<M> allm = new ArrayList<>();
    /**
     * Ms that left {@link #allm} in {@link Ms#mexit} and whose threads may still be ending, so that
     * close() can join them; pruned of ended threads on every exit, so it holds at most the Ms
     * exiting at once.
     */
    final List<M> exiting = new ArrayList<>();

    /**
     * How an M's thread is started: {@link Thread#start}, the seam where a test injects the JVM's
     * "unable to create native thread" {@link OutOfMemoryError} (see {@link Ms#newm}).
     */
    volatile java.util.function.Consumer<Thread> threadStarter = Thread::start;
    /**
     * Set when starting an M's thread failed and the P went back to the idle list; sysmon then
     * retries ({@link Ms#retryStartm}) instead of sleeping, as at the thread limit. Volatile: written
     * before sysmon is unparked, read by sysmon.
     */
    volatile boolean mstartPending;
    /** Thread starts that failed (all time). Concurrency: requires sched.lock. */
    long mstartFailures;
    /** Whether the current burst of failed thread starts has been reported (read by tests). */
    final java.util.concurrent.atomic.AtomicBoolean mstartReported = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * Thread starts in {@link Ms#newm} not yet settled (a failure settles once it is reported and
     * {@link #mstartPending} is set). Any thread.
     */
    final AtomicInteger mstarting = new AtomicInteger();
    /** Goroutines that threw after close began: abandoned, reported by close, never as panics. */
    final AtomicInteger panicsAfterClose = new AtomicInteger();

    private P pidle;
    /**
     * Ms that must get a P for the goroutine mounted on them (a pinned goroutine, or one whose P
     * was handed off automatically); served before the idle list.
     */
    private final java.util.ArrayDeque<M> pinnedWaiters = new java.util.ArrayDeque<>();
    /** {@code pinnedWaiters.size()}, readable without the lock (a hint for Schedule.schedule). */
    volatile int pWaiting;

    /** Queues an M that needs a P. Concurrency: requires sched.lock. */
    void addPWaiter(M mp) {
        assert lock.isHeld();
        pinnedWaiters.addLast(mp);
        pWaiting = pinnedWaiters.size();
    }

    /** Takes the longest-waiting M that needs a P, or null. Concurrency: requires sched.lock. */
    M pollPWaiter() {
        assert lock.isHeld();
        M w = pinnedWaiters.pollFirst();
        if (w != null) {
            pWaiting = pinnedWaiters.size();
        }
        return w;
    }
    /** Ms blocked in a pinned park (counted as idle by checkdead). */
    int npinned;
    /** Locked Ms waiting for their goroutine (Go: sched.nmidlelocked). */
    int nmidlelocked;

    /** The global free list ({@code sched.gFree}): batches of dead Gs, see gfput. */
    final java.util.concurrent.ConcurrentLinkedQueue<G> gFree = new java.util.concurrent.ConcurrentLinkedQueue<>();

    Sched(CoreRuntime rt, RuntimeConfig cfg, int runqCapacity) {
        this.rt = rt;
        this.name = cfg.name();
        this.maxmcount = cfg.maxThreads();
        this.events = cfg.events();
        this.uncaughtHandler = cfg.uncaughtHandler();
        this.randomize = cfg.randomizeScheduler();
        this.autoHandoffNanos = cfg.autoHandoffNanos();
        this.synctest = new Synctest(this, cfg.virtualTime());
        this.seed = cfg.seed();
        this.longRunWarningNanos = cfg.longRunWarningNanos();
        this.runqCapacity = runqCapacity;
        this.threadGroup = new ThreadGroup(cfg.name());
        setStealPolicy(cfg.stealPolicy());
        this.spinPolicy = cfg.spinPolicy();
        this.fairness = cfg.fairnessPolicy();
    }

    void setStealPolicy(StealPolicy p) {
        this.stealPolicy = p;
        this.trackRunnextAge = p.runnextMinAgeNanos() > 0;
    }

    /**
     * Start-up: procresize from no Ps to {@code nprocs} idle ones (World "procresize").
     *
     * <p>Concurrency: before any M starts.
     */
    void procinit(int nprocs) {
        allp = AllP.EMPTY.ps;
        everyP = allp;
        lock.lock();
        try {
            world.procinit(nprocs);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The network poller this runtime's Ms poll, or null if the network is unused (Go's {@code
     * netpollinited}). Two volatile reads.
     *
     * <h2>Design note: network poller</h2>
     *
     * As the seed: when goroutines wait on the network, an M looking for work polls without
     * blocking before it steals (findRunnable); the last M to go idle blocks in the poller until
     * the next timer instead of parking ({@code lastpoll} 0 meanwhile, so only one M of this
     * runtime does), and is the timer waiter, so an earlier timer breaks the poll
     * ({@code wakeNetPoller}, M.kickTimer); sysmon polls when nobody has for 10 ms. Goroutines
     * the poll returns are readied through their own runtime (the poller serves the JVM). The
     * runtime attaches as the poller's driver on first sight, which stands the poller's own
     * thread down, and detaches on close.
     *
     * <p>Concurrency: any thread.
     */
    NetPoller netpoller() {
        NetPoller seen = NetPoller.initialised();
        NetPoller np = netpoller;
        if (seen == np) {
            return np;
        }
        return attachNetpoller(seen);
    }

    private synchronized NetPoller attachNetpoller(NetPoller seen) {
        if (netpoller != seen && !stopping()) {
            detachNetpoller();
            netpollDriver = seen != null ? seen.attachDriver() : null;
            netpoller = seen;
        }
        return netpoller;
    }

    /** netpoll: stops driving the poller (close). Concurrency: any thread. */
    synchronized void detachNetpoller() {
        AutoCloseable d = netpollDriver;
        netpollDriver = null;
        if (d != null) {
            try {
                d.close();
            } catch (Exception e) {
                // the poller's handle does not fail; nothing to undo
            }
        }
    }

    /**
     * Port of runtime.preemptone: asks the goroutine running on {@code pp} to yield at its next
     * safe point, unless it is {@code skip}. The reads of {@code pp.m} and its {@code curg} are
     * racy: a goroutine that just left is asked in vain (its flag is cleared when it next starts).
     * Returns whether a goroutine was asked. A JDK virtual thread running there is asked the same
     * way: it yields at its next jgo call or {@code Go.checkpoint()} (VCarrier).
     *
     * <p>Concurrency: any thread.
     */
    static boolean preemptone(P pp, G skip) {
        M mp = pp.m;
        G gp = mp != null ? mp.curg : null;
        if (gp == null && mp != null && mp.vrun instanceof VThread v) { // racy, as curg
            gp = v.g;
        }
        if (gp == null || gp == skip) {
            return false;
        }
        gp.requestPreempt();
        return true;
    }

    /** Whether a stop-the-world is in progress ({@code sched.gcwaiting}). Concurrency: any thread. */
    boolean gcwaiting() {
        return (safepoint & World.GCWAITING) != 0;
    }

    // ---- idle P list ----

    /**
     * Port of runtime.pidleput: puts {@code pp} on the idle list.
     *
     * <p>Precondition: {@code pp} is a current P (not one procresize removed) and its run queue
     * is empty: a P is idled or destroyed only after its goroutines moved elsewhere.
     *
     * <p>Concurrency: requires sched.lock.
     */
    void pidleput(P pp) {
        assert lock.isHeld();
        assert allP.inRange(pp.id) && allP.ps[pp.id] == pp : pp + " is not a current P";
        if (!pp.runq.runqempty()) {
            throw new IllegalStateException("pidleput: P" + pp.id + " has non-empty run queue");
        }
        M w = pollPWaiter();
        if (w != null) { // a pinned goroutine's carrier is waiting for a P: hand this one over
            w.nextp = pp;
            w.notewakeup();
            return;
        }
        Timers.updateTimerPMask(this, pp); // timers: keep the bit only if pp has timers
        pp.link = pidle;
        pidle = pp;
        allP.setIdle(pp.id, true);
        npidle.incrementAndGet(); // full fence: the StoreLoad of "the global run queue" note
    }

    /**
     * Port of runtime.pidleget: takes a P off the idle list, or null.
     *
     * <p>Concurrency: requires sched.lock.
     */
    P pidleget() {
        assert lock.isHeld();
        P pp = pidle;
        if (pp != null) {
            pidle = pp.link;
            pp.link = null;
            Timers.setTimerP(this, pp); // timers: a running P may add timers
            allP.setIdle(pp.id, false);
            npidle.decrementAndGet();
        }
        return pp;
    }

    /** {@link #pidleget} under sched.lock. Concurrency: any thread, not holding sched.lock. */
    P pidlegetLocked() {
        lock.lock();
        try {
            return pidleget();
        } finally {
            lock.unlock();
        }
    }

    // ---- waking Ms ----

    /** Times startm found the thread limit reached. Concurrency: requires sched.lock. */
    long threadLimitHits;

    // ---- goroutines ----

    /** The body of every goroutine's continuation: runs fn and records what it threw. */
    static void body(G gp) {
        try {
            if (gp.main != null && gp.fn instanceof MainCall mc) {
                gp.result = mc.call();
            } else {
                gp.fn.run();
            }
        } catch (Throwable t) {
            gp.panic = t;
        }
    }

    /** A main goroutine's Callable adapted to the Runnable slot of G. */
    record MainCall(java.util.concurrent.Callable<?> callable) implements Runnable {
        Object call() throws Exception {
            return callable.call();
        }

        @Override
        public void run() {
            throw new AssertionError("MainCall is invoked through call()");
        }
    }

    /**
     * The rest of the last batch {@link NewProc#gfgetGlobal} took: goroutines started outside any P
     * (usually one thread in a loop) take from it with two uncontended atomic operations instead
     * of a poll and an offer on the shared free list each. Ownership: a chain belongs to whoever
     * took it with {@code getAndSet}; the links and {@code freeBatchLen} written before the
     * publishing {@code compareAndSet} (volatile) are seen by the next {@code getAndSet}
     * (volatile), which pairs with it. Stress: OutsideSpawnStressTest.
     */
    final java.util.concurrent.atomic.AtomicReference<G> gFreeExternal =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** Live goroutines, summed racily from per-P counters. Concurrency: any thread. */
    int gcount() {
        long n = externalCreated.get();
        for (P pp : everyP) { // dead Ps keep their counts (World "procresize")
            n += pp.goroutinesCreated - pp.goroutinesExited;
        }
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, n));
    }

    // ---- deadlock and fatal errors ----

    /** The runtime's clock (Synctest "Virtual time", step 1). Concurrency: any thread. */
    long nanotime() {
        return synctest.nanotime();
    }

    /** Whether Ms must stop scheduling. */
    boolean stopping() {
        return shutdown || fatal != null;
    }
}
