package dev.jgo.core.internal;

import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.Scheduler;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * What {@link Carrier#current()} returns inside a JDK virtual thread of a runtime (see {@link
 * VirtualThreads}): the carrier face of that thread, so that {@code dev.jgo.Go}, {@code
 * dev.jgo.sync} and {@code dev.jgo.time} work there as in a goroutine of the runtime. It is never
 * started as a thread; the code runs on the virtual thread, mounted on one of the runtime's Ms.
 *
 * <h2>Design note: Parking a virtual thread</h2>
 *
 * A goroutine parks by yielding its continuation to its M. A virtual thread's continuation
 * belongs to the JDK, so it parks as JDK code does, with {@link LockSupport#park}, which unmounts
 * it and frees the M:
 *
 * <ol>
 *   <li>{@link #park} clears {@link VThread#readied}, records the wait reason and sets {@link
 *       VThread#jgoParked}, then runs the unlock function (which publishes the waiter, e.g. a
 *       sudog, and releases the object's lock); false from it resumes at once.
 *   <li>The waker readies the G ({@link Ready#ready}, any thread), which for a virtual thread's G
 *       is {@link VThread#readyJgo}: set {@code readied} (volatile), then {@code
 *       LockSupport.unpark}. The JDK submits the thread to the scheduler, which queues its G as
 *       {@code ready} queues a goroutine (runnext from inside the runtime).
 *   <li>The thread parks until it sees {@code readied}; spurious returns (a stale permit, an
 *       interrupt) park again. An interrupt is kept for the code after the operation: jgo's
 *       operations are not interrupted (see Carrier "Interrupts").
 * </ol>
 *
 * Because the M reads {@code jgoParked} when the run returns, a thread parked here counts as a
 * waiting goroutine for deadlock detection, and one parked by the JDK as a waker (see
 * VirtualThreads "Deadlock detection").
 *
 * <h2>Per-P state</h2>
 *
 * The thread runs on an M holding a P, and the runtime's code it calls between two operations that
 * may park uses that P as its owner, as a goroutine does ({@link #go}, {@link #ready}, {@link
 * #pLocal} for the timer queue). The JDK never unmounts a virtual thread except where it parks or
 * blocks, so the M and its P stay the same meanwhile. {@link #pLocalOrNull} returns null: the
 * caches it serves (sudogs) are used across a lock acquisition, which may park a virtual thread
 * and move it to another M.
 */
final class VCarrier extends Carrier {
    private final VThread v;
    private final Sched sched;

    VCarrier(VThread v) {
        super(v.g.sched.threadGroup, "virtual thread " + v.g.goid);
        this.v = v;
        this.sched = v.g.sched;
    }

    /**
     * Installs {@link VirtualThreads#carrierOf} as {@link Carrier}'s lookup for virtual threads
     * (once per JVM; later calls are ignored). Concurrency: any thread.
     */
    static void install() {
        installVirtualCarriers(VirtualThreads::carrierOf);
    }

    /** The M running this virtual thread if it holds a P of this runtime, else null. */
    private M ownerM() {
        M mp = v.m; // written by that M before the run, on this OS thread
        return mp != null && mp.p != null ? mp : null;
    }

    @Override
    protected boolean inGoroutine() {
        return true;
    }

    @Override
    public Goroutine currentGoroutine() {
        return v.g;
    }

    @Override
    public Goroutine currentHandle() {
        return new GoHandle(v.g);
    }

    @Override
    public Scheduler scheduler() {
        return sched.rt;
    }

    /**
     * The go statement from a virtual thread: as M.go, into the P of the M running this thread.
     *
     * <p>Concurrency: this virtual thread.
     */
    @Override
    public Goroutine go(Runnable fn) {
        java.util.Objects.requireNonNull(fn, "fn");
        if (sched.stopping()) {
            throw new IllegalStateException("runtime is closed");
        }
        M mp = ownerM();
        if (mp == null) {
            return NewProc.newprocExternal(sched, fn, null);
        }
        G newg = NewProc.newproc1(sched, fn, mp.p, v.g.goid, null);
        newg.labels = v.g.labels; // Go's newproc1: profiler labels are inherited
        GoHandle h = new GoHandle(newg); // before the queue: once queued, the G may end and be reused
        Ready.runqput(sched, mp.p, newg, sched.fairness.useRunnext(), mp);
        Ms.wakep(sched);
        return h;
    }

    /** {@code runtime.Gosched} in a virtual thread: {@link Thread#yield()}, to the P's queue tail. */
    @Override
    public void gosched() {
        Thread.yield();
    }

    /** See "Parking a virtual thread". Concurrency: this virtual thread. */
    @Override
    public void park(WaitReason reason, Object lock, ParkUnlock unlockf) {
        G gp = v.g;
        v.readied = false; // before the waiter is published by unlockf (step 1)
        gp.waitreason = reason;
        v.jgoParked = true;
        if (unlockf != null && !unlockf.unlock(gp, lock)) {
            v.jgoParked = false;
            gp.waitreason = WaitReason.ZERO;
            return;
        }
        boolean interrupted = false;
        while (!v.readied) { // volatile read: pairs with readyJgo's write (step 3)
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        v.jgoParked = false;
        gp.waitreason = WaitReason.ZERO;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Port of runtime.goready from a virtual thread: into the P of the M running it. */
    @Override
    public void ready(Goroutine g) {
        Ready.ready(sched, G.of(g), ownerM()); // a foreign G goes to its own runtime
    }

    /** A virtual thread cannot be preempted; the preempt flag and the budget make it yield. */
    @Override
    public void checkpoint() {
        G gp = v.g;
        if (gp.preemptRequested()) {
            gp.clearPreempt();
            Thread.yield();
        }
    }

    @Override
    public void operationCheckpoint() {
        G gp = v.g;
        if (gp.preemptRequested() || (gp.budget > 0 && --gp.budget == 0)) {
            gp.clearPreempt();
            gp.budget = sched.fairness.operationBudget();
            Thread.yield();
        }
    }

    /**
     * The P-local slots of the P this thread runs on (the timer queue). See "Per-P state".
     *
     * @throws IllegalStateException if the thread holds no P (the runtime is closing)
     */
    @Override
    public Object[] pLocal() {
        M mp = ownerM();
        if (mp == null) {
            throw new IllegalStateException("pLocal: virtual thread " + v.thread + " holds no P");
        }
        return mp.p.local;
    }

    /** Null: see "Per-P state". */
    @Override
    public Object[] pLocalOrNull() {
        return null;
    }

    /** Runs the call: a blocking JDK call parks the virtual thread, not the M. */
    @Override
    public <T> T blocking(Callable<T> call) throws Exception {
        return call.call();
    }

    @Override
    public <T> T blockingLong(Callable<T> call) throws Exception {
        return call.call();
    }

    /** @throws UnsupportedOperationException always: a virtual thread has no carrier of its own */
    @Override
    public void lockOSThread() {
        throw new UnsupportedOperationException("lockOSThread: a virtual thread has no carrier thread of its own");
    }

    /** @throws UnsupportedOperationException always, as {@link #lockOSThread()} */
    @Override
    public void unlockOSThread() {
        throw new UnsupportedOperationException("unlockOSThread: a virtual thread has no carrier thread of its own");
    }

    @Override
    public Map<String, String> labels() {
        return v.g.labels;
    }

    @Override
    public void setLabels(Map<String, String> labels) {
        v.g.labels = labels;
    }

    @Override
    public String toString() {
        return "VCarrier[" + v + "]";
    }
}
