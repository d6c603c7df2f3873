package dev.jgo.core.internal;

import dev.jgo.WaitReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One JDK virtual thread of a runtime (see {@link VirtualThreads}): the G that stands for it in
 * the run queues, the JDK's task that continues it, and the state of its runs.
 *
 * <h2>Run states</h2>
 *
 * The JDK calls the scheduler's {@code execute} each time the thread becomes runnable, also while
 * the run that parked it is still finishing on its M (an unpark that raced with the park, a
 * {@code Thread.yield}). {@link #state} orders those submissions against the runs:
 *
 * <pre>
 *   QUEUED  -> RUNNING   (an M takes the G: VirtualThreads.run)
 *   RUNNING -> PARKED    (the run returned, the thread parked)
 *   RUNNING -> AGAIN     (submitted during the run: the M queues it again when the run returns)
 *   AGAIN   -> QUEUED    (that M, at the run's end)
 *   PARKED  -> QUEUED    (submitted while parked: the submitter queues it)
 *   RUNNING -> DONE      (the thread terminated)
 * </pre>
 *
 * Each transition out of RUNNING is a CAS, so a submission during a run is either seen by the M
 * (AGAIN) or happens after the park (PARKED) and queues the G itself: never lost, never queued
 * twice. Submissions in QUEUED, AGAIN or DONE are dropped: a run is already pending, or the thread
 * has ended.
 *
 * <h2>Who touches what</h2>
 *
 * <ul>
 *   <li>{@code state}: CAS by submitters and the M running the thread.
 *   <li>{@code m}: the M running the thread, written before and cleared after each run; read by
 *       the thread itself (same OS thread) and racily by snapshots.
 *   <li>{@code wakerCounted}: the owner of the transition out of PARKED (written by the M before
 *       its CAS to PARKED, read by the submitter after its CAS from PARKED).
 *   <li>{@code jgoParked}, {@code readied}: the thread itself and its waker (volatile).
 * </ul>
 */
final class VThread {
    static final int QUEUED = 0;
    static final int RUNNING = 1;
    static final int AGAIN = 2;
    static final int PARKED = 3;
    static final int DONE = 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(VThread.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The G standing for this thread in the run queues, counts and dumps. */
    final G g;
    /** The JDK's task that mounts and continues the thread ({@code VirtualThread.runContinuation}). */
    final Runnable task;
    /** The virtual thread. */
    final Thread thread;
    /** {@code thread.threadId()}: its key in {@link VThreadTable}, read there without the thread. */
    final long tid;

    @SuppressWarnings("unused")
    private volatile int state = QUEUED;

    /** The M running this thread now, null between runs. */
    volatile M m;
    /** Whether this thread counts in {@code sched.wakers} (parked by the JDK, see "Deadlock"). */
    boolean wakerCounted;
    /** Set by {@link VCarrier#park} while the thread waits in a jgo operation. */
    volatile boolean jgoParked;
    /** The jgo park's wake-up permit: set by {@link #readyJgo}. */
    volatile boolean readied;
    /** The stand-in carrier for jgo operations; made by the thread itself on first use. */
    private VCarrier carrier;

    VThread(G g, Runnable task, Thread thread) {
        this.g = g;
        this.task = task;
        this.thread = thread;
        this.tid = thread.threadId();
    }

    /** Concurrency: any thread. */
    int state() {
        return (int) STATE.getVolatile(this); // volatile: pairs with the CASes below
    }

    /** Concurrency: any thread (a submitter or the M running the thread). */
    boolean casState(int from, int to) {
        return STATE.compareAndSet(this, from, to); // volatile CAS: the transition's linearization point
    }

    /** Concurrency: the owner of the current state (the M running the thread, or its submitter). */
    void setState(int s) {
        STATE.setVolatile(this, s);
    }

    /** The carrier that {@code Carrier.current()} returns inside this thread. Concurrency: this thread. */
    VCarrier carrier() {
        VCarrier c = carrier;
        if (c == null) {
            c = new VCarrier(this);
            carrier = c;
        }
        return c;
    }

    /**
     * Ends a jgo park ({@link VCarrier#park}): sets the permit, then unparks the thread; the JDK
     * then submits it to the scheduler (if it had parked) or its park returns at once.
     *
     * <p>Concurrency: any thread; at most once per park (the waker owns the dequeued waiter).
     */
    void readyJgo() {
        readied = true; // volatile write before the unpark: the woken thread reads it after park returns
        java.util.concurrent.locks.LockSupport.unpark(thread);
    }

    /** The wait reason a dump shows for a thread parked by the JDK, from its state. */
    static WaitReason jdkReason(Thread.State s) {
        return switch (s) {
            case TIMED_WAITING -> WaitReason.VIRTUAL_TIMED_WAITING;
            case BLOCKED -> WaitReason.VIRTUAL_BLOCKED;
            default -> WaitReason.VIRTUAL_WAITING;
        };
    }

    @Override
    public String toString() {
        return "virtual thread " + thread + " as goroutine " + g.goid;
    }
}
