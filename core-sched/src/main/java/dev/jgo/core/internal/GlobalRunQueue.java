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
 * {@link G#schedlink}, with lock-free puts and its length readable without a lock.
 *
 * <h2>Design note: an inbox stack in front of a locked list</h2>
 *
 * Go links runnable goroutines through {@code g.schedlink} under {@code sched.lock}: no
 * allocation per put, and a batch taken in one critical section. Puts here come from goroutines
 * started outside the runtime (a plain thread spawning in a loop), from overflowing Ps and from
 * yields, so they should not wait for the consumers. Rejected: a lock-free MPMC array queue
 * (JCTools' {@code MpmcUnboundedXaddArrayQueue}, used before): it needs {@code sun.misc.Unsafe},
 * whose use the JDK reports with a warning on every run, and JCTools' VarHandle flavour has no
 * unbounded MPMC queue; {@code ConcurrentLinkedQueue}: a node allocated per put, and its length
 * counted in linear time; one lock for puts and takes: an outside spawner then contends with
 * every M that polls (measured: spawn-many-outside about 1.4x slower than with JCTools). Chosen:
 *
 * <ol>
 *   <li>A put pushes the goroutine on {@link #inbox}, a Treiber stack (one CAS, no lock), then
 *       adds one to {@link #size}.
 *   <li>A take locks, and when the list is empty moves the whole inbox into it (one swap to
 *       null), reversing it into put order, then unlinks from the head.
 *   <li>So the order is the puts' linearization order (their CASes): goroutines moved earlier
 *       were pushed earlier, and a moved batch is reversed back into push order.
 * </ol>
 *
 * <p>Invariants, under the lock: {@code head == null} iff {@code tail == null}; the list from
 * {@code head} ends at {@code tail} with a null {@code schedlink}; a goroutine is in the queue
 * at most once (its {@code schedlink} is null when put). {@code size} counts the list and the
 * inbox; it is raised after the push and lowered after the unlink, so {@code size > 0} whenever
 * a take could find nothing only transiently, and never {@code size == 0} with a goroutine that
 * was put before the reader's last fence.
 *
 * <p>Memory ordering: the push CAS publishes the goroutine and its link to the taker's swap
 * (both volatile). {@code size} changes only by {@link #SIZE}{@code .getAndAdd}, a full fence:
 * the StoreLoad of Sched's "the global run queue" note, so a submitter's put is visible before it
 * reads {@code npidle}/{@code nmspinning}. Lock-free readers ({@link #isEmpty}, {@link #size})
 * read it with volatile semantics.
 */
final class GlobalRunQueue extends AbstractQueue<G> {
    private static final VarHandle SIZE;
    private static final VarHandle INBOX;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SIZE = l.findVarHandle(GlobalRunQueue.class, "size", int.class);
            INBOX = l.findVarHandle(GlobalRunQueue.class, "inbox", G.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SpinLock lock = new SpinLock();

    // ---- guarded by lock ----
    private G head;
    private G tail;

    // ---- any thread ----
    /** Goroutines put and not yet moved to the list, newest first; CAS only. */
    @SuppressWarnings("unused")
    private volatile G inbox;

    /** Written through {@link #SIZE} (full fence), read by anyone. */
    @SuppressWarnings("unused")
    private volatile int size;

    /**
     * Port of runtime.globrunqput: appends {@code gp} (step 1).
     *
     * <p>Concurrency: any thread; {@code gp} is runnable and in no queue.
     */
    @Override
    public boolean offer(G gp) {
        Objects.requireNonNull(gp, "gp");
        // Precondition: a goroutine is in at most one run queue; its link is free.
        assert gp.schedlink == null : "globrunqput: goroutine " + gp.goid + " is already linked";
        G top;
        do {
            top = (G) INBOX.getVolatile(this);
            gp.schedlink = top; // plain: published by the CAS
        } while (!INBOX.compareAndSet(this, top, gp));
        SIZE.getAndAdd(this, 1); // full fence: see "Memory ordering"
        return true;
    }

    /**
     * Takes the oldest goroutine, or null.
     *
     * <p>Concurrency: any thread.
     */
    @Override
    public G poll() {
        G chain = take(1);
        if (chain != null) {
            chain.schedlink = null;
        }
        return chain;
    }

    /**
     * Takes up to {@code max} of the oldest goroutines in one critical section (Go's
     * globrunqget batch) and returns them as a chain linked through {@code schedlink}, oldest
     * first, the last link null; the caller clears each link as it unlinks them. Null if empty.
     *
     * <p>Concurrency: any thread; {@code max >= 1}.
     */
    G take(int max) {
        if (size == 0) { // volatile read: an empty queue costs no lock
            return null;
        }
        lock.lock();
        try {
            if (head == null && !moveInbox()) {
                return null;
            }
            G first = head;
            G last = first;
            int n = 1;
            while (n < max && last.schedlink != null) {
                last = last.schedlink;
                n++;
            }
            head = last.schedlink;
            if (head == null) {
                tail = null;
            }
            last.schedlink = null;
            SIZE.getAndAdd(this, -n);
            return first;
        } finally {
            lock.unlock();
        }
    }

    /** Step 2: moves the inbox into the empty list in put order. Requires lock; false if none. */
    private boolean moveInbox() {
        G g = (G) INBOX.getAndSet(this, null);
        if (g == null) {
            return false;
        }
        tail = g;
        G prev = null;
        while (g != null) { // reverse: the stack is newest first
            G next = g.schedlink;
            g.schedlink = prev;
            prev = g;
            g = next;
        }
        head = prev;
        return true;
    }

    /** The oldest goroutine without taking it, or null. Concurrency: any thread. */
    @Override
    public G peek() {
        lock.lock();
        try {
            if (head == null) {
                moveInbox();
            }
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
            List<G> newest = new ArrayList<>();
            for (G g = (G) INBOX.getVolatile(this); g != null; g = g.schedlink) {
                newest.add(g);
            }
            java.util.Collections.reverse(newest);
            snapshot.addAll(newest);
        } finally {
            lock.unlock();
        }
        return java.util.Collections.unmodifiableList(snapshot).iterator();
    }
}
