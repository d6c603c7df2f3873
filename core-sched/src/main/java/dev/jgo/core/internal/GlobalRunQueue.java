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
 *   <li>A put pushes the goroutine on {@link #inbox}, a Treiber stack (one CAS, no lock), and
 *       writes in it, before the CAS, the depth of the stack it tops ({@link G#inboxDepth}): the
 *       inbox's length is its top's depth, with no shared counter.
 *   <li>A take locks, and when the list is empty moves the whole inbox into it (one swap to
 *       null), reversing it into put order, then unlinks from the head.
 *   <li>So the order is the puts' linearization order (their CASes): goroutines moved earlier
 *       were pushed earlier, and a moved batch is reversed back into push order.
 * </ol>
 *
 * <p>Invariants, under the lock: {@code head == null} iff {@code tail == null} iff {@link
 * #listSize} {@code == 0}; the list from {@code head} ends at {@code tail} with a null {@code
 * schedlink} and has {@code listSize} goroutines; a goroutine is in the queue at most once (its
 * {@code schedlink} is null when put).
 *
 * <p>Lock-free readers ({@link #isEmpty}, {@link #size}) read {@code inbox}, then {@code
 * listSize}. A move would open a window in which both look empty (the inbox already swapped to
 * null, the list's length not yet written), so it first raises {@code listSize} to the depth of
 * the inbox's top it has read, then swaps: a reader that sees the swap's null sees that length
 * (the swap is a volatile write ordered after it), and {@code isEmpty} is never true while a
 * goroutine is in the queue. {@code size} may count a moving batch twice for that moment; it is
 * racy anyway, as Go's {@code sched.runqsize} read without the lock.
 *
 * <p>Memory ordering: the push CAS publishes the goroutine, its link and its depth to the
 * taker's read and swap (both volatile). The push CAS is also the StoreLoad of Sched's "the
 * global run queue" note (a volatile write, ordered before the submitter's volatile read of
 * {@code npidle}). {@code listSize} is written only under the lock, with release stores.
 */
final class GlobalRunQueue extends AbstractQueue<G> {
    private static final VarHandle LIST_SIZE;
    private static final VarHandle INBOX;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LIST_SIZE = l.findVarHandle(GlobalRunQueue.class, "listSize", int.class);
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

    /** Goroutines in the list; written under the lock (release), read by anyone (acquire). */
    private volatile int listSize;

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
            gp.inboxDepth = top == null ? 1 : top.inboxDepth + 1; // plain: published by the CAS
        } while (!INBOX.compareAndSet(this, top, gp)); // volatile: see "Memory ordering"
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
        if (isEmpty()) { // volatile reads: an empty queue costs no lock
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
            LIST_SIZE.setRelease(this, listSize - n);
            return first;
        } finally {
            lock.unlock();
        }
    }

    /** Step 2: moves the inbox into the empty list in put order. Requires lock; false if none. */
    private boolean moveInbox() {
        G seen = (G) INBOX.getVolatile(this);
        if (seen == null) {
            return false;
        }
        // raise the length before the swap (see "Lock-free readers"); the list is empty here
        LIST_SIZE.setRelease(this, seen.inboxDepth);
        G g = (G) INBOX.getAndSet(this, null); // not null: only takers, under the lock, remove
        int n = 0;
        tail = g;
        G prev = null;
        while (g != null) { // reverse: the stack is newest first
            G next = g.schedlink;
            g.schedlink = prev;
            prev = g;
            g = next;
            n++;
        }
        head = prev;
        LIST_SIZE.setRelease(this, n); // pushes after the read above made the stack deeper
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

    /**
     * The length, racy (a batch being moved may count twice for a moment, see "Lock-free
     * readers"). Concurrency: any thread.
     */
    @Override
    public int size() {
        G top = (G) INBOX.getVolatile(this);
        int n = listSize; // volatile read after the inbox's
        return top != null ? n + top.inboxDepth : n;
    }

    /**
     * Whether the queue looks empty: never while a goroutine put before the caller's last
     * volatile access is still in it (see "Lock-free readers"). Concurrency: any thread (racy, as
     * Go's {@code sched.runqsize != 0}).
     */
    @Override
    public boolean isEmpty() {
        return INBOX.getVolatile(this) == null && listSize == 0; // the inbox first, then the list
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
