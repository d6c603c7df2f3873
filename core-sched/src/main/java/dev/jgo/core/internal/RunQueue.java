package dev.jgo.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.SplittableRandom;

/**
 * A P's local run queue: Go's {@code p.runq} ring, {@code runqhead}, {@code runqtail} and {@code
 * runnext}, with the functions that use them ({@code runqput}, {@code runqputslow}, {@code
 * runqget}, {@code runqgrab}, {@code runqsteal}, {@code runqempty}).
 *
 * <h2>Design note: ownership and memory ordering</h2>
 *
 * Only the owner P's M produces (writes slots and {@code tail}); the owner and stealers consume
 * by CAS on {@code head}. The edges:
 *
 * <ol>
 *   <li>Owner writes a slot (plain), then {@code setTailRelease}: a consumer's {@code
 *       tailAcquire} that sees the new tail sees the slot.
 *   <li>A consumer reads slots (plain, possibly racing with the owner overwriting a slot it no
 *       longer owns), then {@code casHead}: success proves no one consumed those slots and the
 *       owner cannot have overwritten them (it only writes at or past {@code tail}, and slots in
 *       {@code [head, tail)} are not reused until {@code head} moves past them). A failed CAS
 *       discards what was read. A reference read is never torn, so a stale read is harmless.
 *   <li>{@code casHead} has release semantics: the owner's {@code headAcquire} that sees it
 *       knows the consumer is done reading those slots, so it may reuse them.
 *   <li>{@code runnext} is only changed by CAS (owner puts and takes, stealers take); its
 *       volatile semantics publish the goroutine's fields to whoever takes it.
 * </ol>
 *
 * The capacity is a constructor parameter (Go: 256) so that model checks can shrink it.
 */
final class RunQueue {
    /** Go's {@code len(p.runq)}. */
    static final int DEFAULT_CAPACITY = 256;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle RUNNEXT;
    private static final VarHandle RUNNEXT_SINCE;
    private static final VarHandle RUNNEXT_SEQ;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(RunQueue.class, "head", int.class);
            TAIL = l.findVarHandle(RunQueue.class, "tail", int.class);
            RUNNEXT = l.findVarHandle(RunQueue.class, "runnext", G.class);
            RUNNEXT_SINCE = l.findVarHandle(RunQueue.class, "runnextSince", long.class);
            RUNNEXT_SEQ = l.findVarHandle(RunQueue.class, "runnextSeq", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---- immutable ----
    private final G[] buf;
    private final int mask;
    /** The global run queue that overflow goes to. */
    private final GlobalRunQueue global;

    // ---- cross-thread (VarHandle accessors below) ----
    @SuppressWarnings("unused")
    private int head;

    @SuppressWarnings("unused")
    private int tail;

    @SuppressWarnings("unused")
    private G runnext;

    @SuppressWarnings("unused")
    private long runnextSince;

    /**
     * Puts into runnext so far (written by the owner only, before the CAS that stores the
     * goroutine; read by a thief around its back-off). See runqgrab.
     */
    @SuppressWarnings("unused")
    private int runnextSeq;

    // ---- owner only ----
    /** Overflows of the ring to the global queue, published racily to RuntimeView. */
    long overflows;

    RunQueue(int capacity, GlobalRunQueue global) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("run queue capacity must be a power of two >= 2, got " + capacity);
        }
        this.buf = new G[capacity];
        this.mask = capacity - 1;
        this.global = global;
    }

    int capacity() {
        return buf.length;
    }

    // ---- accessors: the name carries the memory mode ----

    private int headAcquire() {
        return (int) HEAD.getAcquire(this);
    }

    private boolean casHead(int expect, int update) {
        return HEAD.compareAndSet(this, expect, update); // volatile CAS: release for the owner's headAcquire
    }

    private int tailAcquire() {
        return (int) TAIL.getAcquire(this);
    }

    private int tailPlain() {
        return (int) TAIL.get(this); // owner only: it is the only writer
    }

    private void setTailRelease(int t) {
        TAIL.setRelease(this, t); // publishes the slots written before it to tailAcquire
    }

    G runnextVolatile() {
        return (G) RUNNEXT.getVolatile(this);
    }

    private boolean casRunnext(G expect, G update) {
        return RUNNEXT.compareAndSet(this, expect, update);
    }

    // ---- owner operations ----

    /**
     * Port of runtime.runqput: puts {@code gp} on the queue; with {@code next}, into {@code
     * runnext}, kicking the previous {@code runnext} to the tail. A full ring moves half of it to
     * the global queue.
     *
     * <p>Concurrency: owner P only.
     *
     * @param sinceNanos when non-zero, recorded as the time {@code gp} entered {@code runnext}
     * @return whether the ring overflowed to the global queue
     */
    boolean runqput(G gp, boolean next, long sinceNanos, SplittableRandom rnd) {
        if (rnd != null && next && rnd.nextBoolean()) {
            next = false; // randomized scheduler: sometimes skip runnext, as Go under -race
        }
        if (next) {
            // opaque store, ordered before the volatile CAS below: a thief that sees the new
            // runnext, or reads the counter after its back-off, sees the put
            RUNNEXT_SEQ.setOpaque(this, (int) RUNNEXT_SEQ.get(this) + 1);
            G oldnext;
            do {
                oldnext = runnextVolatile();
            } while (!casRunnext(oldnext, gp));
            if (sinceNanos != 0) {
                RUNNEXT_SINCE.setOpaque(this, sinceNanos); // read racily by age-gated stealers
            }
            if (oldnext == null) {
                return false;
            }
            gp = oldnext; // kick the old runnext out to the regular run queue
        }
        while (true) {
            int h = headAcquire(); // load-acquire, synchronize with consumers
            int t = tailPlain();
            if (t - h < buf.length) {
                buf[t & mask] = gp;
                setTailRelease(t + 1); // store-release, makes the item available for consumption
                return false;
            }
            if (runqputslow(gp, h, t, rnd)) {
                return true;
            }
            // the queue is not full, now the put above must succeed
        }
    }

    /**
     * Port of runtime.runqputslow: moves {@code gp} and half of the ring to the global queue.
     *
     * <p>Concurrency: owner P only.
     */
    private boolean runqputslow(G gp, int h, int t, SplittableRandom rnd) {
        int n = (t - h) / 2;
        if (n != buf.length / 2) {
            throw new IllegalStateException("runqputslow: queue is not full");
        }
        G[] b = new G[n + 1]; // the global queue keeps it (GlobalRunQueue "an inbox stack", step 2)
        for (int i = 0; i < n; i++) {
            b[i] = buf[(h + i) & mask];
        }
        if (!casHead(h, h + n)) { // cas-release, commits consume
            return false;
        }
        b[n] = gp;
        if (rnd != null) {
            for (int i = 1; i <= n; i++) {
                int j = rnd.nextInt(i + 1);
                G tmp = b[i];
                b[i] = b[j];
                b[j] = tmp;
            }
        }
        global.offerBatch(b, n + 1); // a CAS, a full fence: pairs with the idle M's re-check
        overflows++;
        return true;
    }

    /**
     * Port of runtime.runqget: takes {@code runnext} if set, else the head of the ring.
     *
     * <p>Concurrency: owner P only (stealers race on head and runnext through CAS).
     *
     * @return the goroutine, or null; {@link #lastFromRunnext} tells whether it came from
     *     runnext (and so inherits the time slice)
     */
    G runqget() {
        G next = runnextVolatile();
        // If the runnext is non-null and the CAS fails, it could only have been stolen by
        // another P, because other Ps can race to set runnext to null, but only the current P
        // can set it to non-null. Hence, there's no need to retry this CAS if it fails.
        if (next != null && casRunnext(next, null)) {
            lastFromRunnext = true;
            return next;
        }
        lastFromRunnext = false;
        while (true) {
            int h = headAcquire(); // load-acquire, synchronize with other consumers
            int t = tailPlain();
            if (t == h) {
                return null;
            }
            G gp = buf[h & mask];
            if (casHead(h, h + 1)) { // cas-release, commits consume
                return gp;
            }
        }
    }

    /** Whether the goroutine last returned by {@link #runqget} came from runnext. Owner only. */
    boolean lastFromRunnext;

    /**
     * Port of runtime.runqempty: true if the ring and runnext are both empty. Reads head, tail
     * and runnext so that a concurrent runqput that kicks runnext into the ring is not mistaken
     * for an empty queue (Go's consistent-snapshot loop).
     *
     * <p>Concurrency: any thread.
     */
    boolean runqempty() {
        while (true) {
            int head = headAcquire();
            int tail = tailAcquire();
            G next = runnextVolatile();
            if (tail == tailAcquire()) {
                return head == tail && next == null;
            }
        }
    }

    /** Approximate length, runnext included. Concurrency: any thread. */
    int size() {
        int n = tailAcquire() - headAcquire();
        n = Math.max(0, Math.min(n, buf.length));
        return n + (runnextVolatile() != null ? 1 : 0);
    }

    /**
     * Port of runtime.runqgrab: copies about half of this queue into {@code dst} starting at
     * {@code dstHead} and consumes them; with {@code stealRunnext}, takes {@code runnext} when the
     * ring is empty.
     *
     * <p>Concurrency: any thread (a thief; the owner P of {@code dst}).
     *
     * @param ownerRunning whether this queue's P is running, so runnext is about to be run by it
     * @param backoffNanos how long to wait before stealing runnext from a running P
     * @param minAgeNanos when positive, runnext is only stolen once it has been there this long
     */
    int runqgrab(
            G[] dst,
            int dstMask,
            int dstHead,
            boolean stealRunnext,
            boolean ownerRunning,
            long backoffNanos,
            long minAgeNanos) {
        while (true) {
            int h = headAcquire(); // load-acquire, synchronize with other consumers
            int t = tailAcquire(); // load-acquire, synchronize with the producer
            int n = t - h;
            n = n - n / 2;
            if (n == 0) {
                if (stealRunnext) {
                    int seq = (int) RUNNEXT_SEQ.getAcquire(this); // pairs with runqput's store
                    G next = runnextVolatile();
                    if (next != null) {
                        if (minAgeNanos > 0 && System.nanoTime() - (long) RUNNEXT_SINCE.getOpaque(this) < minAgeNanos) {
                            return 0;
                        }
                        if (ownerRunning && backoffNanos > 0) {
                            // Sleep to ensure that the P isn't about to run the G we are about to
                            // steal. The important use case here is when the G running on the P
                            // readies another G and then almost immediately blocks.
                            long until = System.nanoTime() + backoffNanos;
                            while (System.nanoTime() < until) {
                                Thread.onSpinWait();
                            }
                            // The owner put into runnext during the back-off, so it ran (or
                            // kicked) the one we saw: it is handing goroutines off on its own.
                            // Without this check two goroutines that ready each other in turn
                            // leave the same G in runnext again (ABA), and the thief steals a
                            // hand-off that was about to run, which then bounces between Ms.
                            if ((int) RUNNEXT_SEQ.getAcquire(this) != seq) {
                                return 0;
                            }
                        }
                        if (!casRunnext(next, null)) {
                            continue;
                        }
                        dst[dstHead & dstMask] = next;
                        return 1;
                    }
                }
                return 0;
            }
            if (n > buf.length / 2) { // read inconsistent h and t
                continue;
            }
            for (int i = 0; i < n; i++) {
                dst[(dstHead + i) & dstMask] = buf[(h + i) & mask];
            }
            if (casHead(h, h + n)) { // cas-release, commits consume
                return n;
            }
        }
    }

    /**
     * Port of runtime.runqsteal: steals half of {@code victim}'s goroutines into this queue and
     * returns one of them (null if none).
     *
     * <p>Concurrency: owner P of this queue only.
     */
    G runqsteal(RunQueue victim, boolean stealRunnext, boolean victimRunning, long backoffNanos, long minAgeNanos) {
        int t = tailPlain();
        int n = victim.runqgrab(buf, mask, t, stealRunnext, victimRunning, backoffNanos, minAgeNanos);
        if (n == 0) {
            return null;
        }
        lastStolen = n;
        n--;
        G gp = buf[(t + n) & mask];
        buf[(t + n) & mask] = null;
        if (n == 0) {
            return gp;
        }
        int h = headAcquire(); // load-acquire, synchronize with consumers
        if (t - h + n >= buf.length) {
            throw new IllegalStateException("runqsteal: runq overflow");
        }
        setTailRelease(t + n); // store-release, makes the item available for consumption
        return gp;
    }

    /** How many goroutines the last successful {@link #runqsteal} took. Owner only. */
    int lastStolen = 1;

    /**
     * Takes every goroutine out of the ring and runnext (for procresize and shutdown).
     *
     * <p>Concurrency: owner P, or world stopped.
     */
    int drainTo(Queue<G> dst) {
        int n = 0;
        G gp;
        while ((gp = runqget()) != null) {
            dst.offer(gp);
            n++;
        }
        return n;
    }
}
