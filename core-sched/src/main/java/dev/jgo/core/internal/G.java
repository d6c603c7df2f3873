package dev.jgo.core.internal;

import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier.ParkUnlock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * A goroutine: Go's {@code g}. Its stack is a {@link Continuation}; the object itself is reused
 * through the P and global free lists once the goroutine exits, as Go reuses {@code g}s.
 *
 * <h2>Status transitions</h2>
 *
 * Every change of {@link #status} goes through {@link #casgstatus}, which throws on a transition
 * Go's state machine does not have:
 *
 * <pre>
 *   IDLE -> DEAD                      (allocated, put on a free list or about to be started)
 *   DEAD -> RUNNABLE                  (newproc)
 *   RUNNABLE -> RUNNING               (execute)
 *   RUNNING -> RUNNABLE               (gosched, preemption)
 *   RUNNING -> WAITING                (park)
 *   WAITING -> RUNNABLE               (ready; or park's unlock function refused)
 *   RUNNING -> SYSCALL -> RUNNING     (blocking call, P kept or re-acquired)
 *   SYSCALL -> RUNNABLE               (blocking call returned with no P free)
 *   SYSCALL -> WAITING -> SYSCALL     (park inside a blocking call, see M "Parking inside Go.blocking")
 *   RUNNING -> DEAD                   (goexit)
 *   RUNNING -> PREEMPTED -> WAITING   (suspend at a safe point)
 * </pre>
 *
 * <h2>Design note: the scan bit</h2>
 *
 * A snapshot (the goroutine profile) reads a parked goroutine's stack from its unmounted
 * continuation. {@code Continuation.run} on another thread during that walk would fail ("Mounted"),
 * so the reader must keep the goroutine from being resumed, as Go's {@code suspendG} does:
 *
 * <ol>
 *   <li>The reader CASes RUNNABLE or WAITING to the same status with {@link #SCAN} set ({@link
 *       #castogscanstatus}). Only an unmounted goroutine ({@code m == null}) is walked.
 *   <li>{@link #casgstatus} from a scanned status fails its CAS; on that (slow) path it spins
 *       until the bit is cleared, then retries. The fast path is unchanged: one CAS.
 *   <li>The reader clears the bit ({@link #casfromgscanstatus}) as soon as the walk is done.
 * </ol>
 *
 * {@link #readgstatus} masks the bit, so nothing else observes it.
 *
 * <h2>Who touches what</h2>
 *
 * <ul>
 *   <li>{@code status}: CAS by any thread through {@link #casgstatus}.
 *   <li>{@code preempt}: written by any thread (opaque), read by the goroutine at checkpoints.
 *   <li>everything else: the M running the goroutine, or the owner of the free list holding it;
 *       ownership passes through the run queues' release/acquire edges.
 * </ul>
 */
final class G extends GlobalRunQueue.Node implements Goroutine {
    static final ContinuationScope SCOPE = new ContinuationScope("jgo");

    static final int IDLE = 0;
    static final int RUNNABLE = 1;
    static final int RUNNING = 2;
    static final int SYSCALL = 3;
    static final int WAITING = 4;
    static final int DEAD = 6;
    static final int PREEMPTED = 9;
    /** Go's {@code _Gscan}: set by a stack reader; see "the scan bit". */
    static final int SCAN = 0x1000;

    private static final State[] STATES = new State[10];

    static {
        STATES[IDLE] = State.IDLE;
        STATES[RUNNABLE] = State.RUNNABLE;
        STATES[RUNNING] = State.RUNNING;
        STATES[SYSCALL] = State.SYSCALL;
        STATES[WAITING] = State.WAITING;
        STATES[DEAD] = State.DEAD;
        STATES[PREEMPTED] = State.PREEMPTED;
    }

    private static final VarHandle STATUS;
    private static final VarHandle PREEMPT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATUS = l.findVarHandle(G.class, "status", int.class);
            PREEMPT = l.findVarHandle(G.class, "preempt", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Whether {@code from -> to} is an edge of Go's goroutine state machine. */
    static boolean validTransition(int from, int to) {
        return switch (from) {
            case IDLE -> to == DEAD;
            case DEAD -> to == RUNNABLE;
            case RUNNABLE -> to == RUNNING;
            case RUNNING -> to == RUNNABLE || to == WAITING || to == SYSCALL || to == DEAD || to == PREEMPTED;
            case WAITING -> to == RUNNABLE || to == SYSCALL;
            case SYSCALL -> to == RUNNING || to == RUNNABLE || to == WAITING;
            case PREEMPTED -> to == WAITING;
            default -> false;
        };
    }

    static String statusName(int s) {
        return s >= 0 && s < STATES.length && STATES[s] != null ? STATES[s].name() : "unknown(" + s + ")";
    }

    // ---- any thread (VarHandle) ----
    private volatile int status = IDLE;
    private boolean preempt;

    // ---- immutable ----
    /**
     * The runtime this G belongs to, for its whole life (free lists included): it runs only on
     * that runtime's carriers (see Sched "Ownership"). Null only for Gs made by tests.
     */
    final Sched sched;

    // ---- the M running this goroutine, or the free list's owner ----
    /**
     * Go's {@code goid}; changes when the G is reused, so users hold a {@link GoHandle}. Written
     * by newproc1 before the G's DEAD -> RUNNABLE CAS, which publishes it to GoHandle's reads.
     */
    long goid;

    Runnable fn;
    GCont cont;
    /**
     * The body of this G's continuations ({@code Sched.body} of this G), made by the first
     * newproc1 of the G and kept across its reuse, so that a spawn of a reused G allocates no
     * lambda. Concurrency: the creating thread, published with the G.
     */
    Runnable contBody;
    /**
     * The carrier blocked in a pinned park (see M "Pinned goroutines") or in a park inside
     * Go.blocking (M "Parking inside Go.blocking"), else null.
     */
    volatile M pinnedM;
    /**
     * Whether the park of {@link #pinnedM} is inside Go.blocking: ready then moves the goroutine
     * back to SYSCALL, not RUNNABLE. Written before pinnedM's volatile store, read after its load.
     */
    boolean parkedInSyscall;
    /** M running this goroutine, null while it is not running. */
    M m;

    WaitReason waitreason = WaitReason.ZERO;
    /** Link in the free lists. */
    G schedlink;
    /** Length of the free-list batch this G heads (global free list only). */
    int freeBatchLen;
    /** The future of a main goroutine started by GoRuntime.run, else null. */
    CompletableFuture<Object> main;
    /** Result of a main goroutine's Callable. */
    Object result;
    /** What the body threw, examined by goexit0. */
    Throwable panic;
    /** Operations left in this run before a forced yield. */
    int budget;
    /** Argument of the park in progress (set by the goroutine before it yields). */
    Object parkLock;

    ParkUnlock parkUnlock;
    /** The M this goroutine is wired to by lockOSThread (Go: g.lockedm), else null. */
    M lockedm;
    /** lockOSThread nesting depth. */
    int lockedCount;
    /**
     * Profiler labels ({@code dev.jgo.prof.Pprof.doWithLabels}): an immutable map, copied from the
     * creating goroutine by {@code go}. Read racily by profilers.
     */
    java.util.Map<String, String> labels;
    /**
     * Go's {@code waitsince}: when the current wait was first observed by a snapshot (nanoTime),
     * 0 until then. Cleared by park (a plain store; the park's status CAS publishes it).
     */
    long waitsince;
    /** When this goroutine was put in a P's runnext, if the steal policy keeps ages. */
    long runnextSince;
    /**
     * The JDK virtual thread this G stands for (no continuation then; see VirtualThreads), null
     * for a goroutine. Written before the G's move to RUNNABLE, cleared before it is freed.
     */
    VThread vt;

    /** A G of no runtime, for tests of the run queues. */
    G() {
        this(null);
    }

    G(Sched sched) {
        this.sched = sched;
    }

    /**
     * Whether {@code go} records its creator and call site for {@code created by} lines (system
     * property {@code jgo.gocallsite=true}; see GCont "created by"). Off by default: a static
     * final the JIT folds, so a spawn pays nothing for it.
     */
    static final boolean GO_CALLSITES = Boolean.getBoolean("jgo.gocallsite");

    private static final StackWalker WALKER = StackWalker.getInstance();

    /**
     * A goroutine's continuation. A yield the JDK refuses (pinned) returns false instead of
     * throwing, so the scheduler can fall back to blocking the carrier.
     *
     * <h2>Design note: created by</h2>
     *
     * Go's traceback ends each goroutine with {@code created by main.f in goroutine 1} and the
     * file:line of the {@code go} statement, from {@code g.parentGoid} and {@code g.gopc}, which
     * {@code newproc1} stores for every goroutine. A continuation is made exactly once per {@code
     * newproc1}, on the creating thread, so its constructor can record the creator without a
     * change to the scheduler's files. Finding the creating goroutine there needs the JIT-safe
     * carrier lookup ({@code Carrier.currentOrNull()}, an out-of-line method handle call: a
     * plain {@code Thread.currentThread()} could be a stale carrier after a yield, see {@code
     * InlineGuard}), a few nanoseconds on a spawn of a few hundred; the call site needs a stack
     * walk (microseconds). Chosen:
     *
     * <ol>
     *   <li>by default nothing is recorded at spawn; the goroutine dump names the class that
     *       defines the goroutine's function (the lambda's host class), read from {@code G.fn}
     *       when the dump is taken;
     *   <li>with {@link #GO_CALLSITES}: {@link #creatorGoid}, the goroutine running on the
     *       creating carrier (0 from outside the runtime), and {@link #createdAt}, the first frame
     *       outside jgo's runtime classes above the constructor, i.e. the caller of {@code Go.go}
     *       or {@code GoRuntime.go}.
     * </ol>
     *
     * Rejected: recording the creator id always (measured on spawn-many, the difference was
     * within the noise of the shared test machine, but not provably zero); a field in {@code G}
     * set by {@code newproc1} (the scheduler's files are being rewritten).
     */
    static final class GCont extends Continuation {
        /** Why the last yield was refused; this carrier only. */
        Pinned pinnedReason;

        /**
         * The goroutine that created this one, 0 if none or not recorded (see "created by").
         * Final, written before the continuation is published.
         */
        final long creatorGoid;

        /** The {@code go} call site, null unless {@link #GO_CALLSITES} (see "created by"). */
        final StackTraceElement createdAt;

        GCont(Runnable body) {
            super(SCOPE, body);
            if (GO_CALLSITES) {
                dev.jgo.spi.Carrier c = dev.jgo.spi.Carrier.currentOrNull();
                creatorGoid = c instanceof M mp && mp.curg instanceof G parent ? parent.goid : 0;
                createdAt = goCallSite();
            } else {
                creatorGoid = 0;
                createdAt = null;
            }
        }

        /** The first frame outside jgo's scheduler and entry points: the {@code go} statement. */
        private static StackTraceElement goCallSite() {
            return WALKER.walk(fs -> fs.filter(f -> !isRuntimeFrame(f.getClassName()))
                    .findFirst()
                    .map(StackWalker.StackFrame::toStackTraceElement)
                    .orElse(null));
        }

        static boolean isRuntimeFrame(String cls) {
            return cls.startsWith("dev.jgo.core.internal.")
                    || cls.equals("dev.jgo.Go")
                    || cls.equals("dev.jgo.GoRuntime")
                    || cls.equals("dev.jgo.spi.Carrier")
                    || cls.startsWith("jdk.internal.vm.");
        }

        @Override
        protected void onPinned(Pinned reason) {
            pinnedReason = reason;
        }
    }

    // ---- status ----

    int readgstatus() {
        return status & ~SCAN; // volatile read: pairs with the CAS in casgstatus
    }

    /**
     * Port of runtime.castogscanstatus: sets the scan bit on status {@code from} (RUNNABLE or
     * WAITING). See "the scan bit".
     *
     * <p>Concurrency: any thread; the caller must clear the bit with {@link #casfromgscanstatus}.
     *
     * @return false if the status was not {@code from} (or is already being scanned)
     */
    boolean castogscanstatus(int from) {
        assert from == RUNNABLE || from == WAITING : statusName(from);
        return STATUS.compareAndSet(this, from, from | SCAN); // volatile CAS: orders the walk after it
    }

    /** Port of runtime.casfrom_Gscanstatus. Concurrency: the thread that set the scan bit. */
    void casfromgscanstatus(int from) {
        if (!STATUS.compareAndSet(this, from | SCAN, from)) {
            throw new IllegalStateException(
                    "casfromgscanstatus: goroutine " + goid + " is not scanned " + statusName(from));
        }
    }

    /**
     * Port of runtime.casgstatus: moves the status from {@code from} to {@code to}.
     *
     * <p>Concurrency: any thread. The CAS is the linearization point of the transition; it has
     * volatile semantics, so writes made before it (the G's fields) are visible to whoever
     * reads the new status.
     *
     * @throws IllegalStateException if the edge is not in the state machine, or the status was
     *     not {@code from}
     */
    void casgstatus(int from, int to) {
        if (!validTransition(from, to)) {
            throw new IllegalStateException("casgstatus: invalid transition " + statusName(from) + " -> "
                    + statusName(to) + " for goroutine " + goid);
        }
        if (!STATUS.compareAndSet(this, from, to)) {
            // Slow path: a stack reader holds the scan bit ("the scan bit", step 2).
            while ((int) STATUS.getVolatile(this) == (from | SCAN)) {
                Thread.onSpinWait();
            }
            if (STATUS.compareAndSet(this, from, to)) {
                return;
            }
            throw new IllegalStateException("casgstatus: goroutine " + goid + " is " + statusName(status)
                    + ", expected " + statusName(from) + " (to " + statusName(to) + ")");
        }
    }

    /** Whether the scheduler asked this goroutine to yield. Opaque: a flag that publishes no data. */
    boolean preemptRequested() {
        return (boolean) PREEMPT.getOpaque(this);
    }

    /**
     * Asks this goroutine to yield at its next checkpoint; counts the request in {@link
     * M#preemptPendingAdd} the first time. Concurrency: any thread.
     */
    void requestPreempt() {
        if (PREEMPT.compareAndSet(this, false, true)) {
            M.countPreempt(1);
        }
    }

    /** Withdraws a preempt request, if any. Concurrency: the M running or starting this G. */
    void clearPreempt() {
        if ((boolean) PREEMPT.getOpaque(this) && PREEMPT.compareAndSet(this, true, false)) {
            M.countPreempt(-1);
        }
    }

    // ---- Goroutine ----

    @Override
    public long id() {
        return goid;
    }

    @Override
    public String name() {
        return "goroutine " + goid;
    }

    @Override
    public State state() {
        return state(readgstatus());
    }

    /** The public state of status {@code s} (scan bit clear). */
    static State state(int s) {
        return STATES[s];
    }

    /**
     * The G behind a goroutine object the API handed out: a G itself (the identity park passes to
     * its unlock function), or a {@link GoHandle} whose goroutine has not ended.
     *
     * @throws IllegalStateException if the handle's goroutine has ended
     * @throws IllegalArgumentException if {@code g} is not a goroutine of this scheduler
     */
    static G of(Goroutine g) {
        if (g instanceof G gp) {
            return gp;
        }
        if (g instanceof GoHandle h) {
            return h.live();
        }
        throw new IllegalArgumentException("not a goroutine of the jgo core scheduler: " + g);
    }

    @Override
    public WaitReason waitReason() {
        return readgstatus() == WAITING ? waitreason : WaitReason.ZERO;
    }

    @Override
    public String toString() {
        return "goroutine " + goid + " [" + statusName(readgstatus()) + "]";
    }
}
