package dev.jgo.core.internal;

import dev.jgo.spi.SpinLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * The global run queue ({@code sched.runq}): Go's intrusive list of goroutines linked through
 * {@link G#schedlink}, under a lock of its own, with its length readable without the lock.
 *
 * <h2>Design note: why a lock and an intrusive list</h2>
 *
 * Go links runnable goroutines through {@code g.schedlink} under {@code sched.lock}: no
 * allocation per put, and a batch taken in one critical section. jgo keeps the list and gives it
 * its own {@link SpinLock} (spin briefly, then sleep), so that goroutines started from outside
 * the runtime and overflowing Ps do not contend with the rest of sched.lock's users. Rejected: a
 * lock-free MPMC array queue (JCTools' {@code MpmcUnboundedXaddArrayQueue}, used before): it
 * needs {@code sun.misc.Unsafe}, whose use the JDK now reports with a warning on every run, and
 * the VarHandle flavour of JCTools has no unbounded MPMC queue; {@code ConcurrentLinkedQueue}
 * allocates a node per put and counts its length in linear time.
 *
 * <p>Invariants, under the lock: {@code head == null} iff {@code tail == null} iff {@code size ==
 * 0}; the list from {@code head} has {@code size} goroutines, the last is {@code tail} with a null
 * {@code schedlink}; a goroutine is in it at most once (its {@code schedlink} is null when put).
 *
 * <p>Memory ordering: {@code size} changes only by {@link #SIZE}{@code .getAndAdd}, a locked
 * instruction and so a full fence. That is the StoreLoad of Sched's "the global run queue"
 * note: a submitter's put is visible before it reads {@code npidle}/{@code nmspinning}. Lock-free
 * readers ({@link #isEmpty}, {@link #size}) read it with volatile semantics.
 */
final class GlobalRunQueue extends AbstractQueue<G> {
    private static final VarHandle SIZE;

    static {
        try {
            SIZE = MethodHandles.lookup().findVarHandle(GlobalRunQueue.class, "size", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SpinLock lock = new SpinLock();

    // ---- guarded by lock ----
    private G head;
    private G tail;

    /** Written under the lock through {@link #SIZE} (full fence), read by anyone. */
    @SuppressWarnings("unused")
    private volatile int size;

    /**
     * Port of runtime.globrunqput: appends {@code gp}.
     *
     * <p>Concurrency: any thread; {@code gp} is runnable and in no queue.
     */
    @Override
    public boolean offer(G gp) {
        Objects.requireNonNull(gp, "gp");
        // Precondition: a goroutine is in at most one run queue; its link is free.
        assert gp.schedlink == null : "globrunqput: goroutine " + gp.goid + " is already linked";
        lock.lock();
        try {
            if (tail == null) {
                head = gp;
            } else {
                tail.schedlink = gp;
            }
            tail = gp;
            SIZE.getAndAdd(this, 1); // full fence: see "Memory ordering"
        } finally {
            lock.unlock();
        }
        return true;
    }

    /**
     * Takes the oldest goroutine, or null.
     *
     * <p>Concurrency: any thread.
     */
    @Override
    public G poll() {
        if (size == 0) { // volatile read: an empty queue costs no lock
            return null;
        }
        lock.lock();
        try {
            G gp = head;
            if (gp == null) {
                return null;
            }
            head = gp.schedlink;
            if (head == null) {
                tail = null;
            }
            gp.schedlink = null;
            SIZE.getAndAdd(this, -1);
            return gp;
        } finally {
            lock.unlock();
        }
    }

    /** The oldest goroutine without taking it, or null. Concurrency: any thread. */
    @Override
    public G peek() {
        lock.lock();
        try {
            return head;
        } finally {
            lock.unlock();
        }
    }

    /** The length, racy but never torn. Concurrency: any thread. */
    @Override
    public int size() {
        return size;
    }

    /** Concurrency: any thread (racy, as Go's {@code sched.runqsize != 0}). */
    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * A snapshot of the queue, oldest first, for diagnostics; it allocates and does not support
     * removal. Concurrency: any thread.
     */
    @Override
    public Iterator<G> iterator() {
        List<G> snapshot = new ArrayList<>();
        lock.lock();
        try {
            for (G g = head; g != null; g = g.schedlink) {
                snapshot.add(g);
            }
        } finally {
            lock.unlock();
        }
        return java.util.Collections.unmodifiableList(snapshot).iterator();
    }
}
