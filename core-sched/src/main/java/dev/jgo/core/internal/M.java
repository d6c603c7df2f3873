package dev.jgo.core.internal;

import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.NetPoller;
import dev.jgo.spi.SchedEvents;
import dev.jgo.spi.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import jdk.internal.vm.Continuation;

/**
 * A machine: Go's {@code m}, a carrier platform thread that runs goroutines while it holds a
 * {@link P}. Its {@link #run} is Go's {@code mstart} followed by the {@code schedule} loop; the
 * code that runs here between two goroutine runs plays the part of Go's {@code g0} stack.
 *
 * <h2>Design note: mcall on continuations</h2>
 *
 * Go switches a parking goroutine to the g0 stack with {@code mcall(fn)} and runs {@code fn}
 * there. jgo's goroutine records the operation in {@link #mcallOp} and yields its continuation;
 * {@link Continuation#run()} then returns into {@link Schedule#execute} on this thread, which performs
 * the operation ({@code park_m}, {@code gosched_m}, {@code goexit0}, {@code exitsyscall0}) with
 * the goroutine off its stack, exactly where Go runs {@code fn}. So a goroutine made runnable by
 * another thread can never be resumed while it is still mounted here.
 *
 * <h2>Design note: Hand-off to runnext</h2>
 *
 * A channel or Mutex hand-off readies the partner into this P's runnext ({@link Ready#ready})
 * and usually parks the readier within a microsecond. Go then goes round {@code schedule}; jgo's
 * {@link Schedule#execute} goes on at once with the next goroutine of this P ({@link Schedule#handoffNext}),
 * taken by the same {@link Schedule#localRunnable} that schedule uses, so the schedtick, the time-slice
 * inheritance of runnext, the global-queue check every {@code globalQueueInterval} ticks, the
 * due timers and the operation budget are exactly schedule's. It falls back to schedule for
 * everything else: a pending safe point, an M waiting for a P, a locked M or goroutine, shutdown
 * and an empty local queue (findRunnable). A spinning M does not take that runnext from under
 * the readier: {@link RunQueue#runqgrab} gives up when the owner put into runnext during the
 * thief's back-off.
 *
 * <h2>Design note: Pinned goroutines</h2>
 *
 * The JDK refuses to unmount a continuation with a native frame or a critical section ({@code
 * Continuation.pin}) on its stack; Java monitors do not pin on JDK 25 (see
 * JavaMonitorTest). Rejected: throwing at the goroutine (a correct program would fail at random
 * depending on its callers) and spinning until the yield succeeds (it never does). Chosen: the
 * rest of the operation becomes a blocking section, as a system call is in Go:
 *
 * <ol>
 *   <li>{@link G.GCont} turns the refusal into a {@code false} from {@code yield}.
 *   <li>A park hands the P off ({@link Ms#handoffp}), moves the goroutine to WAITING, runs its
 *       unlock function and blocks the carrier thread; {@link Ready#ready} sees {@code
 *       G.pinnedM} and unparks that thread instead of queueing the goroutine.
 *   <li>Readied, the carrier takes an idle P or queues itself in {@code sched.pinnedWaiters},
 *       which {@link Sched#pidleput} serves before the idle list and every M's schedule serves
 *       by handing over its own P (so a P that never goes idle cannot starve the waiter).
 *   <li>A gosched that cannot yield is skipped. checkdead counts a carrier blocked in a pinned
 *       park as idle, so a pinned deadlock is still reported.
 * </ol>
 *
 * <h2>Design note: Parking inside Go.blocking</h2>
 *
 * A goroutine inside {@link #blocking} holds no P (its P waits in SYSCALL for exitsyscall, or
 * went to another M), yet may call a channel, select or sync operation that must wait. Rejected:
 * throwing (the operation would fail halfway, after taking its object's lock or queueing a sudog,
 * and the object would stay broken); yielding the continuation (execute would then need a P to go
 * on, and the blocking call's P protocol would be broken). Chosen: the carrier blocks, as the
 * blocking call around it may, as in a pinned park:
 *
 * <ol>
 *   <li>{@link #park} without a P marks {@code G.parkedInSyscall}, sets {@code G.pinnedM}, moves
 *       the goroutine SYSCALL to WAITING, runs the unlock function, counts itself in {@code
 *       sched.npinned} (idle for checkdead, so a goroutine waiting there forever is a deadlock),
 *       and parks the thread.
 *   <li>{@link Ready#ready} sees {@code pinnedM} and moves the goroutine WAITING to SYSCALL (not
 *       RUNNABLE) under sched.lock, then unparks the thread; the blocking call goes on, and
 *       exitsyscall gets a P as after any blocking call.
 *   <li>The sync types need no P otherwise: without one, a sudog is allocated and dropped instead
 *       of cached ({@link #pLocalOrNull}), and a hand-off release does not yield.
 *   <li>If the runtime closes first, the park withdraws under sched.lock (back to SYSCALL) and
 *       throws {@link IllegalStateException}; a later ready finds {@code pinnedM} cleared.
 * </ol>
 *
 * <h2>Design note: Automatic hand-off</h2>
 *
 * A goroutine that calls a blocking JDK method without {@link #blocking} blocks its carrier while
 * it holds a P. With automatic hand-off on, sysmon takes such a P and hands it to another M.
 * Rejected: taking the P by CAS of its status alone (this M uses its P with plain owner accesses
 * and would not notice), and checking the P's status at each owner access (a volatile read on
 * every run-queue operation, and still racy between check and use). Chosen: this M publishes
 * where it is in {@link #ustate}, and the P changes hands only at a CAS on that word:
 *
 * <ol>
 *   <li>Right before resuming goroutine code this M stores USER (release).
 *   <li>Every entry from goroutine code into the runtime (each Carrier method, and the return of
 *       a finished continuation into execute) CASes USER to RUNTIME; a nested entry finds
 *       RUNTIME and leaves it. A method that returns to goroutine code without yielding restores
 *       USER; one that yields does not touch this M again (the M that resumes the goroutine has
 *       stored USER for itself).
 *   <li>Sysmon, having seen the P RUNNING on the same schedtick with this M's thread BLOCKED or
 *       WAITING for the threshold, CASes USER to TAKEN. Only on success does it own the P: it
 *       detaches it ({@code pp.m = null}, RUNNING to IDLE) and hands it off.
 *   <li>When this M's entry CAS fails on TAKEN, it forgets its P and gets another: an idle one,
 *       or one handed over by pidleput or another M's schedule (sched.pinnedWaiters), before it
 *       touches any P state. The goroutine stays mounted, so the Carrier method goes on with
 *       this M, as after a pinned park.
 *   <li>{@link #pLocal()} slots are used only by runtime code that does not block, so a P is
 *       never taken while such a slot is in use.
 * </ol>
 *
 * So a P has one owner at every moment: this M while {@code ustate} is RUNTIME (it never touches
 * the P in USER state), sysmon from its successful CAS on, and the next M from acquirep. With
 * the feature off, each entry costs one branch on a final field.
 *
 * <h2>Who touches what</h2>
 *
 * <ul>
 *   <li>{@code p}, {@code curg}, {@code spinning}, {@code mcallOp}, counters: this M only.
 *   <li>{@code nextp}, {@code spinning} while parked: written by the M that wakes this one under
 *       the hand-off protocol of {@link #notewakeup} (volatile note), read after waking.
 *   <li>{@code schedlink}: sched.lock.
 * </ul>
 */
final class M extends Carrier {
    static final int OP_NONE = 0;
    static final int OP_PARK = 1;
    static final int OP_GOSCHED = 2;
    static final int OP_EXITSYSCALL = 3;
    /** Not an mcall: execute's name for a goroutine whose body returned. */
    static final int OP_EXIT = -1;

    /** {@link #ustate}: goroutine code runs on this M; sysmon may take the P. */
    static final int USTATE_USER = 0;
    /** {@link #ustate}: runtime code runs on this M; the P is not taken. */
    static final int USTATE_RUNTIME = 1;
    /** {@link #ustate}: sysmon took the P while goroutine code ran. */
    static final int USTATE_TAKEN = 2;

    static final VarHandle NOTE;
    static final VarHandle USTATE;

    static {
        try {
            USTATE = MethodHandles.lookup().findVarHandle(M.class, "ustate", int.class);
            NOTE = MethodHandles.lookup().findVarHandle(M.class, "note", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---- immutable ----
    final Sched sched;
    final int mid;

    // ---- this M ----
    P p;
    /** The P this M held when it entered a system call (Go: m.oldp). */
    P oldp;

    G curg;
    /** The JDK virtual thread this M runs now (VirtualThreads.run), else null; curg is null then. */
    VThread vrun;

    boolean spinning;
    int mcallOp;
    /** Whether the goroutine findRunnable returned came from runnext (inherits the time slice). */
    boolean inheritTime;
    /** Set when handoffNext found this P's queues empty; read and cleared by the next schedule. */
    boolean localEmpty;

    private int fastrand;
    /** Random source of the randomized scheduler, null when it is off. */
    final SplittableRandom rnd;

    long mParks;
    long mUnparks;
    long emptyWakeups;
    long spins;
    /** Returns from a park of this M (RuntimeView.Counters.mWakeups): one thread wake-up each. */
    long mWakeups;
    /** Rounds of the steal loop this M ran while spinning. */
    long spinRounds;

    long pinnedParks;
    boolean ranSinceWake = true;
    /** The goroutine wired to this M by lockOSThread, else null (Go: m.lockedg). */
    G lockedg;
    /** Set when a locked goroutine exits: the M then exits too, as in Go. */
    boolean exitWithLockedG;

    // ---- automatic hand-off (see "Automatic hand-off"): CAS by this M and sysmon ----
    @SuppressWarnings("unused")
    private volatile int ustate = USTATE_RUNTIME;
    /** Whether automatic hand-off is on (fixed for the runtime's life). */
    final boolean auto;
    /** Times sysmon took this M's P from under a blocked goroutine. */
    long autoHandoffs;

    /**
     * Entries into the runtime from goroutine code ({@link #enterRuntime}): every call that may
     * yield. Written by this M only (plain), read racily by sysmon's {@link LongRunWatch}; a
     * stale or torn read delays a warning by a round at most.
     */
    int preemptPoints;

    /** timers: set by Timers.wakeNetPoller when an earlier timer needs this parked M. */
    volatile boolean timerKick;

    // ---- hand-off (see notewakeup) ----
    volatile P nextp;

    @SuppressWarnings("unused")
    private volatile boolean note;

    // ---- sched.lock ----
    M schedlink;

    M(Sched sched, int id) {
        super(sched.threadGroup, sched.name + "-m" + id);
        this.sched = sched;
        this.mid = id;
        this.fastrand = (int) (System.nanoTime() ^ (id * 0x9E3779B9L)) | 1;
        this.rnd = sched.randomize ? new SplittableRandom(System.nanoTime() + id) : null;
        this.auto = sched.autoHandoffNanos > 0;
        setDaemon(true);
    }

    /**
     * Port of runtime.cheaprandn for goroutine code (Select's case order): seeded per P when the
     * runtime has a seed (Seeded "Seeded choices", step 1).
     *
     * <p>Concurrency: this M, running a goroutine.
     */
    @Override
    public int cheaprandn(int n) {
        if (sched.seed == null) {
            return super.cheaprandn(n);
        }
        P pp = p;
        return pp != null ? Seeded.rand(sched, pp).nextInt(n) : Seeded.noPDraw(sched, n);
    }

    /** xorshift32, Go's cheaprand. Concurrency: this M only. */
    int fastrand() {
        int x = fastrand;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        fastrand = x;
        return x;
    }

    // ---- park note (Go's m.park note) ----

    /**
     * Port of notewakeup(&mp.park): wakes this M. The waker writes {@code nextp} and {@code
     * spinning} before the volatile write of the note; {@link #notesleep} reads the note, then
     * them.
     *
     * <p>Concurrency: any thread.
     */
    void notewakeup() {
        NOTE.setVolatile(this, true);
        LockSupport.unpark(this);
    }

    /** Port of notesleep + noteclear. Concurrency: this M only. */
    void notesleep() {
        while (!(boolean) NOTE.getVolatile(this) && !sched.stopping()) {
            ignoreInterrupt();
            LockSupport.park(this);
        }
        NOTE.setVolatile(this, false);
        mWakeups++;
    }

    /**
     * Clears this thread's interrupt flag before a park of the runtime. Invariant: an M parks
     * with the flag clear, since {@code LockSupport.park} returns at once while it is set and
     * every park here is a loop (a set flag would make an idle M spin). Nothing in jgo wakes an M
     * by interrupting it (wake-ups are notes and unparks); see Carrier "Interrupts".
     *
     * <p>Concurrency: this M.
     */
    static void ignoreInterrupt() {
        Thread.interrupted();
    }

    // ---- mstart and the schedule loop ----

    @Override
    public void run() {
        try {
            P pp = nextp;
            nextp = null;
            if (pp == null) {
                throw new IllegalStateException("mstart: M" + mid + " started without a P");
            }
            acquirep(pp);
            while (!sched.stopping() && !exitWithLockedG) {
                Schedule.schedule(this);
            }
            if (exitWithLockedG && p != null) { // a locked goroutine exited: this thread goes too
                Ms.handoffp(sched, releasep());
            }
        } catch (Throwable t) {
            Fatal.fail(sched, "carrier M" + mid, t); // a runtime failure, not a goroutine's panic
        } finally {
            Ms.mexit(sched, this);
        }
    }

    /**
     * Port of runtime.acquirep. Concurrency: this M, with {@code pp} handed to it.
     */
    void acquirep(P pp) {
        if (p != null || pp.m != null) {
            throw new IllegalStateException("acquirep: M" + mid + " has " + p + ", " + pp + " has M");
        }
        pp.casstatus(P.IDLE, P.RUNNING);
        p = pp;
        pp.m = this;
        if (sched.events instanceof SchedEvents ev) {
            Emit.procStart(ev, pp.id, mid);
        }
        Sysmon sm = sched.sysmon;
        if (sm != null) {
            sm.wake(); // a P is busy again: see Sysmon "sysmon's sleep"
        }
    }

    /** Port of runtime.releasep. Concurrency: this M. */
    P releasep() {
        P pp = p;
        if (pp == null || pp.m != this) {
            throw new IllegalStateException("releasep: invalid P state on M" + mid);
        }
        if (sched.events instanceof SchedEvents ev) {
            Emit.procStop(ev, pp.id, mid);
        }
        pp.m = null;
        p = null;
        pp.casstatus(pp.status() == P.SYSCALL ? P.SYSCALL : P.RUNNING, P.IDLE);
        return pp;
    }

    // ---- LockOSThread ----

    @Override
    public void lockOSThread() {
        G gp = curg;
        if (gp.lockedCount == Integer.MAX_VALUE) {
            throw new IllegalStateException("lockOSThread nested too deeply");
        }
        if (gp.lockedCount++ == 0) {
            gp.lockedm = this;
            lockedg = gp;
        }
    }

    @Override
    public void unlockOSThread() {
        G gp = curg;
        if (gp.lockedCount == 0) {
            throw new IllegalStateException("unlockOSThread without a matching lockOSThread");
        }
        if (--gp.lockedCount == 0) {
            gp.lockedm = null;
            lockedg = null;
        }
    }

    /** Set while this M blocks in the network poller (kickTimer then breaks the poll). */
    volatile boolean inNetpoll;

    /** Whether this M is blocked in the runtime's poll (netpollBlock). Concurrency: any thread, racy. */
    boolean inNetpoll() {
        return inNetpoll;
    }

    /** timers: wakes this M from a timed park (Timers.wakeNetPoller). Concurrency: any thread. */
    void kickTimer() {
        timerKick = true; // volatile write before the unpark
        if (inNetpoll) {
            NetPoller np = sched.netpoller();
            if (np != null) {
                np.wakeup(); // netpollBreak
            }
        }
        LockSupport.unpark(this);
    }

    // ---- Carrier: what the running goroutine calls ----

    @Override
    protected boolean inGoroutine() {
        return curg != null;
    }

    @Override
    public Goroutine currentGoroutine() {
        return curg;
    }

    @Override
    public Goroutine currentHandle() {
        return new GoHandle(curg);
    }

    @Override
    public Scheduler scheduler() {
        return sched.rt;
    }

    /**
     * Port of runtime.newproc: the new goroutine goes to this P's runnext, then wakep.
     *
     * <p>Concurrency: the goroutine running on this M.
     */
    @Override
    public Goroutine go(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        int prev = enterRuntime();
        G parent = curg;
        P pp = p;
        if (pp == null) { // inside Go.blocking: no P, start it from outside
            GoHandle h = NewProc.newprocExternal(sched, fn, null);
            leaveRuntime(prev);
            return h;
        }
        G newg = NewProc.newproc1(sched, fn, pp, parent.goid, null);
        newg.labels = parent.labels; // Go's newproc1: profiler labels are inherited
        GoHandle h = new GoHandle(newg); // before the queue: once queued, the G may end and be reused
        Ready.runqput(sched, pp, newg, sched.fairness.useRunnext(), this);
        Ms.wakep(sched);
        if (parent.preemptRequested()) { // every runtime call honours a preempt request
            mcall(OP_GOSCHED);
            return h;
        }
        leaveRuntime(prev);
        return h;
    }

    /**
     * Entry from goroutine code into the runtime ("Automatic hand-off", step 2). Returns the
     * state to restore with {@link #leaveRuntime}.
     *
     * <p>Concurrency: this M.
     */
    int enterRuntime() {
        preemptPoints++; // a preemption point: restarts LongRunWatch's clock
        if (!auto) {
            return USTATE_RUNTIME;
        }
        if (USTATE.compareAndSet(this, USTATE_USER, USTATE_RUNTIME)) {
            return USTATE_USER;
        }
        if ((int) USTATE.getVolatile(this) == USTATE_RUNTIME) {
            return USTATE_RUNTIME; // nested entry (an unlock function, a call inside Go.blocking)
        }
        // TAKEN: sysmon handed our P to another M while the goroutine was blocked (step 4)
        USTATE.setVolatile(this, USTATE_RUNTIME);
        p = null;
        autoHandoffs++;
        LockedM.acquirePForMounted(this, curg);
        return USTATE_USER;
    }

    /** Back to goroutine code without having yielded. Concurrency: this M. */
    void leaveRuntime(int prev) {
        if (prev == USTATE_USER) {
            USTATE.setRelease(this, USTATE_USER); // step 1: from here sysmon may take the P
        }
    }

    /**
     * Sysmon's side of step 3: takes this M's P if goroutine code still runs here.
     *
     * <p>Concurrency: sysmon.
     */
    boolean tryTakeP() {
        return auto && USTATE.compareAndSet(this, USTATE_USER, USTATE_TAKEN);
    }

    /** Whether goroutine code (not runtime code) runs here now. Concurrency: any thread (racy). */
    boolean inUserCode() {
        return auto && (int) USTATE.getVolatile(this) == USTATE_USER;
    }

    /**
     * Yields the running goroutine's continuation with {@code op} for execute to perform. See
     * "Pinned goroutines" for a yield the JDK refuses.
     */
    void mcall(int op) {
        mcallOp = op;
        if (Continuation.yield(G.SCOPE)) {
            return;
        }
        // Pinned: the goroutine is still mounted here and execute() has not run.
        mcallOp = OP_NONE;
        G gp = curg;
        switch (op) {
            case OP_PARK -> LockedM.parkPinned(this, gp);
            case OP_EXITSYSCALL -> {
                gp.casgstatus(G.SYSCALL, G.RUNNABLE);
                LockedM.acquirePinned(this, gp);
            }
            default -> {
                // A yield that cannot happen is skipped and the goroutine keeps its P, except
                // at a pending safe point: then this carrier serves it in place.
                if (sched.safepoint != 0) {
                    LockedM.pinnedSafePoint(this, gp);
                }
            }
        }
    }

    @Override
    public void gosched() {
        int prev = enterRuntime();
        if (p == null) {
            leaveRuntime(prev);
            requireP("Go.yield");
        }
        mcall(OP_GOSCHED);
    }

    /**
     * Port of runtime.gopark. Postcondition when it throws (the runtime closed under a goroutine
     * that could not leave its carrier): {@code unlockf} has run, so {@code lock} is released; see
     * {@link Carrier#park}.
     */
    @Override
    public void park(WaitReason reason, Object lock, ParkUnlock unlockf) {
        Objects.requireNonNull(reason, "reason");
        int prev;
        try {
            prev = enterRuntime();
        } catch (IllegalStateException e) { // closed while waiting for a P ("Automatic hand-off")
            if (unlockf != null) {
                unlockf.unlock(curg, lock);
            }
            throw e;
        }
        G gp = curg;
        gp.waitreason = reason;
        gp.waitsince = 0; // a snapshot stamps it when it first sees this wait (G "waitsince")
        if (p == null) { // inside Go.blocking
            LockedM.parkInSyscall(this, gp, lock, unlockf);
            leaveRuntime(prev);
            return;
        }
        gp.parkLock = lock;
        gp.parkUnlock = unlockf;
        mcall(OP_PARK);
    }

    @Override
    public void ready(Goroutine g) {
        int prev = enterRuntime();
        try {
            Ready.ready(sched, G.of(g), p != null ? this : null);
        } finally {
            leaveRuntime(prev);
        }
    }

    @Override
    public void checkpoint() {
        int prev = enterRuntime();
        G gp = curg;
        // With a seed the time slice is off (Seeded "Seeded choices", step 2): a checkpoint spends
        // the operation budget, so a loop that only checkpoints still yields, at a fixed count.
        if ((gp.preemptRequested() || (sched.seed != null && gp.budget > 0 && --gp.budget == 0)) && p != null) {
            mcall(OP_GOSCHED);
            return;
        }
        leaveRuntime(prev);
    }

    /** Counts preempt flags set and consumed, for {@link Carrier#preemptPending()}. */
    static void countPreempt(int delta) {
        preemptPendingAdd(delta);
    }

    @Override
    public Object[] pLocal() {
        int prev = enterRuntime();
        try {
            requireP("pLocal");
            return p.local;
        } finally {
            leaveRuntime(prev);
        }
    }

    @Override
    public Object[] pLocalOrNull() {
        int prev = enterRuntime();
        P pp = p;
        leaveRuntime(prev);
        return pp != null ? pp.local : null;
    }

    @Override
    public void operationCheckpoint() {
        int prev = enterRuntime();
        G gp = curg;
        if ((gp.preemptRequested() || (gp.budget > 0 && --gp.budget == 0)) && p != null) {
            mcall(OP_GOSCHED);
            return;
        }
        leaveRuntime(prev);
    }

    private void requireP(String what) {
        if (p == null) {
            throw new IllegalStateException(what + " is not allowed inside Go.blocking");
        }
    }

    /**
     * Go.blocking as Go's entersyscall/exitsyscall: the P stays in SYSCALL state, attached to no
     * M, so that a short call takes it back at once (exitsyscall's fast path) while sysmon hands
     * it to another M if the call blocks past a sysmon tick with work waiting (Sysmon.retake).
     *
     * <p>Concurrency: the goroutine running on this M.
     */
    @Override
    public <T> T blocking(Callable<T> call) throws Exception {
        return Syscall.syscall(this, call, false);
    }

    /**
     * As {@link #blocking} for a call known to block long: the P is handed off at once
     * (entersyscallblock) instead of waiting for sysmon.
     */
    @Override
    public <T> T blockingLong(Callable<T> call) throws Exception {
        return Syscall.syscall(this, call, true);
    }

    // ---- profiler labels (dev.jgo.prof) ----

    @Override
    public java.util.Map<String, String> labels() {
        return curg.labels;
    }

    @Override
    public void setLabels(java.util.Map<String, String> labels) {
        curg.labels = labels;
    }

    @Override
    public String toString() {
        return "M" + mid + (p != null ? "(P" + p.id + ")" : "");
    }
}
