package dev.jgo.spi;

import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A carrier thread (an M in Go's terms) as seen from the goroutine it is running. The scheduler
 * implementation subclasses it; {@link dev.jgo.Go}, {@code dev.jgo.sync} and the other modules
 * reach the scheduler through {@link #current()}, so any scheduler implementation can run them.
 *
 * <p>A goroutine may move to another carrier whenever it parks or yields: look up {@link
 * #current()} again after any such call rather than caching it.
 *
 * <h2>Interrupts</h2>
 *
 * Go has no interrupts, and a goroutine is not a thread: {@code Thread.currentThread()} inside a
 * goroutine is its carrier. A goroutine that calls {@code Thread.currentThread().interrupt()}
 * sets its carrier's flag, and jgo gives it no meaning:
 *
 * <ul>
 *   <li>while the goroutine stays on its carrier the flag stays set, so a blocking JDK call it
 *       makes (inside {@link dev.jgo.Go#blocking}) sees it, as the JDK defines;
 *   <li>when the goroutine leaves its carrier (it parks, yields or ends) the carrier clears the
 *       flag, so neither the goroutine after it resumes nor the next goroutine on the carrier
 *       sees it; a goroutine that cannot leave its carrier (pinned) has it cleared when its wait
 *       blocks the carrier;
 *   <li>no jgo operation (channels, select, sync types, sleep) is interrupted by it, and no
 *       carrier is woken by it.
 * </ul>
 *
 * To cancel a goroutine, close a channel it selects on, as in Go.
 */
public abstract class Carrier extends Thread {

    /**
     * {@code Thread.currentThread()}, called through a handle that the JIT cannot inline (see
     * {@link #carrierThread()}). Deliberately not final: a constant handle would be inlined.
     */
    @SuppressWarnings("FieldMayBeFinal")
    private static MethodHandle currentThreadHandle;

    static {
        try {
            currentThreadHandle = MethodHandles.lookup()
                    .findStatic(Thread.class, "currentThread", MethodType.methodType(Thread.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The thread executing the caller, read afresh on every call.
     *
     * <p>A goroutine moves between carrier threads when it yields, but a JIT-compiled method
     * treats {@code Thread.currentThread()} as a per-invocation constant (C2 loads the thread
     * object through an immutable load, invalidated only in JDK methods annotated
     * {@code @ChangesCurrentThread}). Once {@link #current()} is inlined twice into one compiled
     * method with a park or yield between the calls, the second call would return the carrier
     * the goroutine left, and the goroutine would then use another thread's P. Calling through a
     * non-constant {@link MethodHandle} keeps the intrinsic out of the caller's compilation unit,
     * so each call reads the thread register of the carrier it runs on.
     */
    static Thread carrierThread() {
        if (DIRECT) {
            return currentThreadOutOfLine();
        }
        try {
            return (Thread) currentThreadHandle.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Whether {@link #currentThreadOutOfLine} is kept out of line by InlineGuard's directive: a
     * plain call then reads the thread register afresh, without the handle's dispatch (which
     * showed as about a tenth of the schedule loop's samples at 16 Ps).
     */
    private static final boolean DIRECT = InlineGuard.ADDED;

    /** {@code Thread.currentThread()} in a frame of its own; never inlined (see InlineGuard). */
    private static Thread currentThreadOutOfLine() {
        return Thread.currentThread();
    }

    /**
     * Outstanding preemption requests in this JVM, over all runtimes: a hint that lets {@link
     * dev.jgo.Go#checkpoint()} skip the carrier lookup while nobody is asked to yield. Read with
     * no reference to the current thread, so it cannot go stale across a yield.
     */
    private static final java.util.concurrent.atomic.AtomicInteger PREEMPT_PENDING =
            new java.util.concurrent.atomic.AtomicInteger();

    /** Whether any goroutine in this JVM has been asked to yield. Concurrency: any thread. */
    public static boolean preemptPending() {
        return PREEMPT_PENDING.get() != 0; // volatile read, pairs with preemptPendingAdd
    }

    /** For schedulers: count a preempt flag set (+1) or consumed (-1). */
    protected static void preemptPendingAdd(int delta) {
        PREEMPT_PENDING.addAndGet(delta);
    }

    static {
        // Before any carrier runs a goroutine: see InlineGuard, "thread identity across a yield".
        InlineGuard.STATUS.length();
    }

    /** Whether the inlining directive of {@code InlineGuard} is in place, and how it was added. */
    public static String inlineGuardStatus() {
        return InlineGuard.STATUS;
    }

    protected Carrier(ThreadGroup group, String name) {
        super(group, null, name, 0, false);
    }

    /**
     * The carrier running the calling goroutine.
     *
     * <p>Concurrency: any thread.
     *
     * @throws IllegalStateException if the caller is not a goroutine
     */
    public static Carrier current() {
        if (carrierThread() instanceof Carrier c && c.inGoroutine()) {
            return c;
        }
        throw new IllegalStateException("not called from a goroutine (dev.jgo.Go and dev.jgo.sync need one)");
    }

    /** The carrier running the calling goroutine, or null when the caller is not a goroutine. */
    public static Carrier currentOrNull() {
        return carrierThread() instanceof Carrier c && c.inGoroutine() ? c : null;
    }

    /** Whether goroutine code is executing on this carrier now. Concurrency: this carrier only. */
    protected abstract boolean inGoroutine();

    /**
     * The running goroutine as the scheduler knows it: the object {@link #park} passes to its
     * unlock function and {@link #ready} takes. A scheduler may reuse it for a later goroutine
     * once this one ends; give users {@link #currentHandle()} instead.
     */
    public abstract Goroutine currentGoroutine();

    /**
     * A handle on the running goroutine for users ({@link dev.jgo.Go#current()}): it keeps its id,
     * name and, once the goroutine ended, DEAD state for good (see {@link Goroutine}). This default
     * suits a scheduler that never reuses its goroutine objects.
     */
    public Goroutine currentHandle() {
        return currentGoroutine();
    }

    /**
     * Port of the go statement ({@code runtime.newproc}): starts {@code fn} as a goroutine and
     * returns a handle on it, as {@link #currentHandle()}.
     */
    public abstract Goroutine go(Runnable fn);

    /** Port of {@code runtime.Gosched}: yields the P; the goroutine goes to the global run queue. */
    public abstract void gosched();

    /**
     * Port of {@code runtime.gopark}. Puts the running goroutine into the waiting state, then,
     * once it is off its carrier, calls {@code unlockf.unlock(g, lock)}. If that returns false
     * the goroutine resumes at once; otherwise it stays parked until {@link #ready} is called for
     * it. Because {@code unlockf} runs after the goroutine is waiting, another thread may ready it
     * before {@code unlockf} returns unless {@code lock} prevents that.
     *
     * <p>A goroutine that cannot leave its carrier (pinned, or inside {@link #blocking}, where it
     * holds no P) parks by blocking the carrier thread; the protocol is the same.
     *
     * @throws IllegalStateException only when the runtime closes while the goroutine cannot leave
     *     its carrier. Postcondition then: {@code unlockf} has run (so {@code lock} is released)
     *     and the goroutine is no longer parked, though it may still be registered wherever {@code
     *     unlockf} published it: the caller withdraws it under its own lock.
     */
    public abstract void park(WaitReason reason, Object lock, ParkUnlock unlockf);

    /**
     * Port of {@code runtime.goready}: makes a goroutine parked with {@link #park} runnable, in
     * the current P's {@code runnext} slot, and wakes an idle P if there is one. A goroutine of
     * another runtime is made runnable on its own runtime, as {@link Scheduler#ready} from outside
     * does. Callable from a goroutine; from other threads use {@link Scheduler#ready}.
     */
    public abstract void ready(Goroutine g);

    /** The scheduler this carrier belongs to. */
    public abstract Scheduler scheduler();

    /**
     * A cooperative preemption point ({@link dev.jgo.Go#checkpoint()}): yields if the scheduler
     * asked this goroutine to (time slice over, stop-the-world pending).
     */
    public abstract void checkpoint();

    /**
     * The checkpoint every runtime operation (channel, select, sync, timer, net) passes: as
     * {@link #checkpoint()}, and it also spends one unit of the goroutine's operation budget
     * ({@link FairnessPolicy#operationBudget()}), yielding when the budget is spent.
     */
    public abstract void operationCheckpoint();

    /** Slot of {@link #pLocal()} for the sudog cache of {@code dev.jgo.sync}. */
    public static final int PLOCAL_SUDOG = 0;

    /** Slot of {@link #pLocal()} for the timer module. */
    public static final int PLOCAL_TIMER = 1;

    /** Slot of {@link #pLocal()} for the network poller. */
    public static final int PLOCAL_NET = 2;

    /**
     * Per-P storage for subsystems (Go keeps caches such as {@code p.sudogcache} in the P): an
     * array of 8 slots owned by the P this carrier holds. Only the running goroutine may touch it,
     * and only between two runtime calls that may yield (after a yield it may be on another P).
     *
     * @throws IllegalStateException inside {@link dev.jgo.Go#blocking} (no P is held)
     */
    public abstract Object[] pLocal();

    /**
     * As {@link #pLocal()}, or null when no P is held (inside {@link dev.jgo.Go#blocking}), for
     * caches that can do without.
     */
    public Object[] pLocalOrNull() {
        try {
            return pLocal();
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /**
     * Port of {@code entersyscall}/{@code exitsyscall} around a call that may block the carrier
     * thread.
     */
    public abstract <T> T blocking(Callable<T> call) throws Exception;

    /**
     * As {@link #blocking} for a call known to block long: the P is handed off at once (Go's
     * {@code entersyscallblock}) rather than when sysmon notices.
     */
    public abstract <T> T blockingLong(Callable<T> call) throws Exception;

    /** Wires a goroutine to this carrier thread (Go's {@code LockOSThread}); nests. */
    public abstract void lockOSThread();

    /** Undoes one {@link #lockOSThread}. */
    public abstract void unlockOSThread();

    /**
     * The running goroutine's profiler labels (Go's {@code runtime_getProfLabel}): an immutable
     * map, or null for none. Goroutines it starts inherit them.
     */
    public Map<String, String> labels() {
        throw new UnsupportedOperationException(getClass().getName() + " does not keep profiler labels");
    }

    /**
     * Sets the running goroutine's profiler labels (Go's {@code runtime_setProfLabel}); {@code
     * labels} must be immutable, or null for none.
     */
    public void setLabels(Map<String, String> labels) {
        throw new UnsupportedOperationException(getClass().getName() + " does not keep profiler labels");
    }

    /** Called by {@link #park} once the goroutine is off its carrier. */
    @FunctionalInterface
    public interface ParkUnlock {
        /** Returns false to resume the goroutine at once instead of leaving it parked. */
        boolean unlock(Goroutine g, Object lock);
    }
}
