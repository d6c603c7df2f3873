package dev.jgo.core.internal;

import dev.jgo.spi.SpinLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * The global run queue ({@code sched.runq}): Go's intrusive list of goroutines, linked through
 * {@link Node#runqNext}, with lock-free puts, batches that travel as arrays, and its length readable
 * without a lock.
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
 *       writes in it, before the CAS, the depth of the stack it tops ({@link Node#inboxDepth}): the
 *       inbox's length is its top's depth, with no shared counter.
 *   <li>A full P's overflow (runqputslow: half its ring) is pushed as one {@link Batch} node that
 *       holds the goroutines in an array, also with one CAS. The array is new each time (the
 *       queue keeps it): about 4 bytes per goroutine that overflows, none on any other path. Linking each goroutine instead
 *       touches every one of them three times (the link, the reversal below, the take), and when
 *       a spawner has queued a million of them those are cache misses: JFR put 65 % of
 *       spawn-many's samples (procs 1) in that path.
 *   <li>A take locks, and whenever the list is empty moves the whole inbox into it (one swap to
 *       null), reversing its nodes into put order, and takes from the head: a goroutine node
 *       whole, a batch by copying a run of its array (a batch may be left partly taken at the
 *       head).
 *   <li>So the order is the puts' linearization order (their CASes): nodes moved earlier were
 *       pushed earlier, a moved inbox is reversed back into push order, and a batch keeps its
 *       array's order.
 * </ol>
 *
 * <p>Invariants, under the lock: {@code head == null} iff {@code tail == null} iff {@link
 * #listSize} {@code == 0}; the list from {@code head} ends at {@code tail} with a null link and
 * holds {@code listSize} goroutines; no batch in it is empty; a goroutine is in the queue at most
 * once (its {@code runqNext} is null when put).
 *
 * <p>Lock-free readers ({@link #isEmpty}, {@link #size}) read {@code inbox}, then {@code
 * listSize}. A move would open a window in which both look empty (the inbox already swapped to
 * null, the list's length not yet written), so it first raises {@code listSize} to the depth of
 * the inbox's top it has read, then swaps: a reader that sees the swap's null sees that length
 * (the swap is a volatile write ordered after it), and {@code isEmpty} is never true while a
 * goroutine is in the queue. {@code size} may count a moving batch twice for that moment; it is
 * racy anyway, as Go's {@code sched.runqsize} read without the lock.
 *
 * <p>Memory ordering: the push CAS publishes the node, its link, its depth and a batch's array
 * to the taker's read and swap (both volatile). The push CAS is also the StoreLoad of Sched's
 * "the global run queue" note (a volatile write, ordered before the submitter's volatile read of
 * {@code npidle}). {@code listSize} is written only under the lock, with release stores.
 */
final class GlobalRunQueue extends AbstractQueue<G> {
    private static final VarHandle LIST_SIZE;
    private static final VarHandle INBOX;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LIST_SIZE = l.findVarHandle(GlobalRunQueue.class, "listSize", int.class);
            INBOX = l.findVarHandle(GlobalRunQueue.class, "inbox", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A node of the inbox and of the list: a {@link G}, or a {@link Batch} of them. Its fields
     * are written before the push CAS that publishes the node, and under the lock after that.
     */
    abstract static class Node {
        /** The next node: older in the inbox, newer in the list; null at the end. */
        Node runqNext;
        /** In the inbox: the goroutines from this node down the stack, its own included. */
        int inboxDepth;
    }

    /**
     * Goroutines put in one step, in order ({@link #offerBatch}): {@code gs[from..to)} are still
     * queued.
     */
    static final class Batch extends Node {
        final G[] gs;
        /** The next goroutine to take; under the lock once the batch is in the list. */
        int from;

        final int to;

        Batch(G[] gs, int n) {
            this.gs = gs;
            this.to = n;
        }
    }

    private final SpinLock lock = new SpinLock();

    // ---- guarded by lock ----
    /** Oldest node, or null. */
    private Node head;

    private Node tail;

    // ---- any thread ----
    /** Nodes put and not yet moved to the list, newest first; CAS only. */
    @SuppressWarnings("unused")
    private volatile Node inbox;

    /** Goroutines in the list; written under the lock (release), read by anyone (acquire). */
    private volatile int listSize;

    /** The goroutines from {@code node} down the inbox, or 0 for null. */
    private static int depth(Node node) {
        return node == null ? 0 : node.inboxDepth;
    }

    /** The goroutines {@code node} still holds. Under the lock, or before the node is pushed. */
    private static int count(Node node) {
        return node instanceof Batch b ? b.to - b.from : 1;
    }

    /** The oldest goroutine {@code node} holds. Under the lock. */
    private static G first(Node node) {
        return node instanceof Batch b ? b.gs[b.from] : (G) node;
    }

    /**
     * Port of runtime.globrunqput: appends {@code gp} (step 1).
     *
     * <p>Concurrency: any thread; {@code gp} is runnable and in no queue.
     */
    @Override
    public boolean offer(G gp) {
        Objects.requireNonNull(gp, "gp");
        // Precondition: a goroutine is in at most one run queue; its link is free.
        assert gp.runqNext == null : "globrunqput: goroutine " + gp.goid + " is already linked";
        push(gp, 1);
        return true;
    }

    /**
     * Port of runtime.globrunqputbatch: appends {@code gs[0..n)} in that order with one push
     * (step 2). The queue keeps {@code gs}: the caller must not touch it afterwards.
     *
     * <p>Concurrency: any thread; the goroutines are runnable and in no queue.
     */
    void offerBatch(G[] gs, int n) {
        if (n < 1 || n > gs.length) {
            throw new IllegalArgumentException("offerBatch: " + n + " of an array of " + gs.length);
        }
        if (n == 1) {
            offer(gs[0]);
            return;
        }
        push(new Batch(gs, n), n);
    }

    /** Steps 1 and 2: pushes {@code node}, holding {@code n} goroutines, on the inbox. */
    private void push(Node node, int n) {
        Node top;
        do {
            top = (Node) INBOX.getVolatile(this);
            node.runqNext = top; // plain: published by the CAS
            node.inboxDepth = depth(top) + n; // plain: published by the CAS
        } while (!INBOX.compareAndSet(this, top, node)); // volatile: see "Memory ordering"
    }

    /**
     * Takes the oldest goroutine, or null.
     *
     * <p>Concurrency: any thread.
     */
    @Override
    public G poll() {
        G[] one = new G[1]; // off the scheduler's paths (they use take)
        return take(1, one) == 1 ? one[0] : null;
    }

    /**
     * Moves up to {@code max} of the oldest goroutines into {@code dst[0..)}, oldest first, in one
     * critical section (Go's globrunqget batch), and returns how many; 0 if empty (step 3).
     *
     * <p>Concurrency: any thread; {@code 1 <= max <= dst.length}.
     */
    int take(int max, G[] dst) {
        if (isEmpty()) { // volatile reads: an empty queue costs no lock
            return 0;
        }
        lock.lock();
        try {
            if (head == null && !moveInbox()) {
                return 0;
            }
            int k = 0;
            int fromList = 0; // taken from the list as last moved
            Node node = head;
            while (k < max) {
                if (node == null) { // the list ran out: what was put since comes next
                    assert listSize == fromList : "take: list of " + listSize + " ran out after " + fromList;
                    head = null;
                    tail = null;
                    LIST_SIZE.setRelease(this, 0);
                    fromList = 0;
                    if (!moveInbox()) {
                        break;
                    }
                    node = head;
                }
                if (node instanceof G g) {
                    dst[k++] = g;
                    fromList++;
                    node = g.runqNext;
                    g.runqNext = null;
                    continue;
                }
                Batch b = (Batch) node;
                int c = Math.min(max - k, b.to - b.from);
                System.arraycopy(b.gs, b.from, dst, k, c);
                Arrays.fill(b.gs, b.from, b.from + c, null); // the queue holds no taken goroutine
                b.from += c;
                k += c;
                fromList += c;
                if (b.from < b.to) {
                    break; // the rest stays at the head
                }
                node = b.runqNext;
                b.runqNext = null;
            }
            head = node;
            if (node == null) {
                tail = null;
            }
            LIST_SIZE.setRelease(this, listSize - fromList);
            return k;
        } finally {
            lock.unlock();
        }
    }

    /** Step 3: moves the inbox into the empty list in put order. Requires lock; false if none. */
    private boolean moveInbox() {
        Node seen = (Node) INBOX.getVolatile(this);
        if (seen == null) {
            return false;
        }
        // raise the length before the swap (see "Lock-free readers"); the list is empty here
        LIST_SIZE.setRelease(this, depth(seen));
        Node node = (Node) INBOX.getAndSet(this, null); // not null: only takers, under the lock, remove
        int n = 0;
        tail = node;
        Node prev = null;
        while (node != null) { // reverse: the stack is newest first
            Node next = node.runqNext;
            node.runqNext = prev;
            n += count(node);
            prev = node;
            node = next;
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
            return head == null ? null : first(head);
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
        Node top = (Node) INBOX.getVolatile(this);
        int n = listSize; // volatile read after the inbox's
        return n + depth(top);
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
            for (Node n = head; n != null; n = n.runqNext) {
                addAll(snapshot, n);
            }
            List<Node> newest = new ArrayList<>();
            for (Node n = (Node) INBOX.getVolatile(this); n != null; n = n.runqNext) {
                newest.add(n);
            }
            for (int i = newest.size() - 1; i >= 0; i--) {
                addAll(snapshot, newest.get(i));
            }
        } finally {
            lock.unlock();
        }
        return Collections.unmodifiableList(snapshot).iterator();
    }

    private static void addAll(List<G> to, Node node) {
        if (node instanceof G g) {
            to.add(g);
        } else {
            Batch b = (Batch) node;
            for (int i = b.from; i < b.to; i++) {
                to.add(b.gs[i]);
            }
        }
    }
}
