package dev.jgo.sync;

import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.SpinLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Go channel: port of {@code runtime/chan.go}'s {@code hchan}.
 *
 * <pre>{@code
 * Chan<Long> c = Chan.make(0);
 * Go.go(() -> c.send(42L));
 * long v = c.recv();
 * }</pre>
 *
 * <p>A blocking operation ({@link #send}, {@link #recv}, {@link #recvOk}, iteration) must run in
 * a goroutine ({@link IllegalStateException} from any other thread) and blocks by parking the
 * goroutine, not its carrier (inside {@code Go.blocking}, where the goroutine holds no P, the
 * carrier thread blocks instead: see the package notes). The non-blocking ones ({@link
 * #trySend}, {@link #tryRecv}, {@link #close}, {@link #len}, {@link #cap}) may be called from any
 * thread. In a goroutine every
 * operation is a preemption checkpoint that spends one unit of the goroutine's operation budget
 * ({@link Carrier#operationCheckpoint()}).
 * Null elements are rejected ({@link NullPointerException}): a receive returns null only once the
 * channel is closed and drained, Go's zero value.
 *
 * <h2>Design note: Channel hand-off</h2>
 *
 * <p>Problem: a channel must match senders with receivers in FIFO order, wake exactly the goroutine
 * it matched, lose no value and no wake-up when a send, a receive, a close and a select race, and
 * do it without blocking carrier threads (a blocked carrier is a lost P) and without allocating
 * per operation.
 *
 * <p>Rejected approaches:
 *
 * <ul>
 *   <li>A {@code java.util.concurrent} queue plus a condition: blocks the carrier thread, and
 *       cannot take part in a select that waits on several channels at once.
 *   <li>A lock-free channel (as jox or Kotlin's {@code BufferedChannel}): fast, but a select over
 *       it needs a per-case registration protocol with its own cancellation races; Go's design
 *       is one short lock per channel and a lock order for select, which is simple to prove and
 *       keeps the critical sections a few dozen instructions long.
 *   <li>Passing values through the buffer when a receiver already waits: an extra copy and a
 *       buffer slot transition that another receiver could steal, breaking the FIFO match.
 * </ul>
 *
 * <p>Protocol (Go's). All channel state is guarded by {@link #lock} (a {@link SpinLock}, never
 * held across a park except through the park's unlock function):
 *
 * <ol>
 *   <li>Send: lock. If closed, unlock and throw. If a receiver waits in {@code recvq}, dequeue it,
 *       write the value into its sudog, unlock, mark the sudog successful and ready its goroutine:
 *       the value never touches the buffer. Else, if the buffer has room, store at {@code sendx}
 *       and unlock. Else (blocking) enqueue a sudog holding the value on {@code sendq} and park;
 *       the park's unlock function releases the lock once the goroutine is off its carrier, so a
 *       waker (which must take the lock to find the sudog) can only ready a goroutine that is
 *       already waiting.
 *   <li>Receive: lock. If closed and the buffer is empty, unlock and return the zero value with
 *       {@code ok=false}. If a sender waits in {@code sendq} (so the buffer, if any, is full): for
 *       an unbuffered channel take its value directly; for a buffered one take the head of the
 *       buffer and put the sender's value at the tail in the same slot, keeping FIFO order; then
 *       unlock and ready the sender. Else take from the buffer if it is non-empty. Else enqueue
 *       on {@code recvq} and park as in step 1.
 *   <li>Close: lock; if already closed, unlock and throw. Mark closed, dequeue every waiter of
 *       both queues (receivers get null and {@code success=false}, senders {@code
 *       success=false}), unlock, then ready them all. A woken sender throws; a woken receiver
 *       returns {@code ok=false}. Values already in the buffer stay there to be received.
 *   <li>A woken goroutine finds the outcome in its own sudog ({@code elem}, {@code success}),
 *       written by the waker before ready; the scheduler's run queue publishes those writes.
 *   <li>Select sudogs are in several queues at once; whichever waker first wins the CAS on the
 *       select's {@code selectDone} (see {@link WaitQ#dequeue}) owns the goroutine, and the others
 *       skip that sudog. See {@link Select}, "Design note: Select".
 * </ol>
 *
 * <p>Lock order: a channel lock is a leaf, except in a select, which takes the locks of all its
 * channels in increasing {@link #id} order; no other lock is taken while one is held.
 *
 * <p>Non-blocking operations ({@link #trySend}, {@link #tryRecv}) take the lock rather than
 * using Go's lock-free "fast path fails" checks: simpler, and they cost the same uncontended.
 *
 * <h2>Design note: Non-blocking operations from any thread</h2>
 *
 * <p>Problem: code outside the runtime (a plain thread, a callback of a JDK library) wants to feed
 * goroutines through a channel, and tests want to check the channel's linearizability on
 * Lincheck's own threads, which are not carriers.
 *
 * <p>Rejected: a fake carrier for such threads (a carrier is a scheduler thread holding a P; a
 * stand-in would have to answer {@code park}, which has no meaning outside the scheduler).
 *
 * <p>Protocol: an operation that never parks needs a carrier for two things only: the operation
 * checkpoint, which has nothing to preempt outside a goroutine and is skipped there, and readying
 * the goroutine it matched, which goes through the scheduler recorded in that goroutine's sudog
 * ({@link Sudog#sched}, set when the sudog is acquired) to the global run queue. A blocking
 * operation still requires a goroutine. An outside thread that will send to a goroutine blocked
 * on a channel should hold a waker ({@link dev.jgo.spi.Scheduler#addWaker}) meanwhile, or
 * deadlock detection may fire first.
 *
 * @param <T> the element type
 */
public final class Chan<T> implements SendChan<T>, RecvChan<T> {

    private static final AtomicLong IDS = new AtomicLong();

    /** Go's nil channel: see {@link #nil()}. */
    private static final Chan<?> NIL = new Chan<>(0);

    /** Returned by {@link #chanrecv} when a non-blocking receive would block. */
    static final Object WOULD_BLOCK = new Object();

    private static final VarHandle QCOUNT;

    static {
        try {
            QCOUNT = MethodHandles.lookup().findVarHandle(Chan.class, "qcount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---- immutable ----

    /** Unique, increasing: the select lock order. */
    final long id;

    /**
     * A capacity up to this gets its whole buffer at make, as Go allocates it; a larger one starts
     * with this many slots, and the buffer doubles each time it is full and below capacity, so a
     * channel's memory follows what it holds, not what it may hold (Go allocates {@code
     * make(chan T, 1<<30)} at once; here only the values sent cost memory). It never shrinks.
     */
    static final int EAGER_CAPACITY = 64;

    /**
     * The largest capacity {@link #make} accepts: the largest array the JVM allocates, since a
     * full buffer is one array. Go refuses sizes beyond its allocation limit the same way.
     */
    public static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    /** The ring buffer (Go's {@code buf}); its length is at most {@link #dataqsiz}, grown by {@link #grow}. */
    private Object[] buf;

    final int dataqsiz;

    final SpinLock lock = new SpinLock();

    // ---- guarded by lock ----

    /** Elements in the buffer. Written under the lock with opaque stores so {@link #len} may read it unlocked. */
    @SuppressWarnings("unused")
    private int qcount;

    private int sendx;
    private int recvx;
    boolean closed;
    final WaitQ recvq = new WaitQ();
    final WaitQ sendq = new WaitQ();

    private Chan(int capacity) {
        this.id = IDS.incrementAndGet();
        this.dataqsiz = capacity;
        this.buf = new Object[Math.min(capacity, EAGER_CAPACITY)];
    }

    // ---- internal: the hchan protocol (see "Design note: Channel hand-off") ----

    /** Plain read of qcount. Concurrency: requires lock. */
    int qcount() {
        return (int) QCOUNT.get(this);
    }

    /** Opaque store: a racy {@link #len} reader sees some recent count. Concurrency: requires lock. */
    private void setQcount(int n) {
        QCOUNT.setOpaque(this, n);
    }

    /** Whether the buffer has room. Concurrency: requires lock. */
    boolean bufHasRoom() {
        return qcount() < dataqsiz;
    }

    /** Stores {@code ep} at {@code sendx}. Concurrency: requires lock; the buffer has room. */
    void bufsend(Object ep) {
        assert lock.isHeld() && qcount() < dataqsiz;
        if (qcount() == buf.length) {
            grow();
        }
        buf[sendx] = ep;
        if (++sendx == buf.length) {
            sendx = 0;
        }
        setQcount(qcount() + 1);
    }

    /**
     * Doubles the full ring buffer, up to {@link #dataqsiz}, with its elements in receive order
     * from index 0 (see {@link #EAGER_CAPACITY}).
     *
     * <p>Concurrency: requires lock; the buffer is full and below capacity.
     */
    private void grow() {
        Object[] old = buf;
        int n = old.length;
        assert lock.isHeld() && qcount() == n && n < dataqsiz && sendx == recvx;
        Object[] nb = new Object[(int) Math.min(dataqsiz, Math.max(2L * n, EAGER_CAPACITY))];
        System.arraycopy(old, recvx, nb, 0, n - recvx);
        System.arraycopy(old, 0, nb, n - recvx, recvx);
        buf = nb;
        recvx = 0;
        sendx = n;
    }

    /** Takes the element at {@code recvx}. Concurrency: requires lock; the buffer is non-empty. */
    Object bufrecv() {
        assert lock.isHeld() && qcount() > 0;
        Object v = buf[recvx];
        buf[recvx] = null;
        if (++recvx == buf.length) {
            recvx = 0;
        }
        setQcount(qcount() - 1);
        return v;
    }

    /**
     * Port of runtime.send (the part before {@code unlockf}): hands {@code ep} to the waiting
     * receiver {@code sg}, dequeued from {@code recvq}. The caller then unlocks and calls {@link
     * #goready}.
     *
     * <p>Concurrency: requires lock; {@code sg} dequeued by the caller.
     */
    static void sendDirect(Sudog sg, Object ep) {
        sg.elem = ep;
    }

    /**
     * Port of runtime.recv (the part before {@code unlockf}): receives from the waiting sender
     * {@code sg}, dequeued from {@code sendq}. Unbuffered: its value directly. Buffered (so the
     * buffer is full): the head of the buffer, and the sender's value goes into the freed slot at
     * the tail. The caller then unlocks and calls {@link #goready}.
     *
     * <p>Concurrency: requires lock; {@code sg} dequeued by the caller.
     */
    Object recvDirect(Sudog sg) {
        assert lock.isHeld();
        Object v;
        if (dataqsiz == 0) {
            v = sg.elem;
        } else {
            assert qcount() == dataqsiz && buf.length == dataqsiz : "sender waits on a buffer that is not full";
            v = buf[recvx];
            buf[recvx] = sg.elem;
            if (++recvx == buf.length) {
                recvx = 0;
            }
            sendx = recvx;
        }
        sg.elem = null;
        return v;
    }

    /**
     * Completes a hand-off after the lock is released (the tail of runtime.send/recv): records the
     * outcome in the sudog (and, for a select, which case fired) and readies its goroutine.
     *
     * <p>Concurrency: any thread ({@code cr} null when not a goroutine); {@code sg} dequeued by the
     * caller, lock released.
     */
    static void goready(Carrier cr, Sudog sg, boolean success) {
        sg.success = success;
        if (sg.sel != null) {
            sg.sel.param = sg;
        }
        sg.ready(cr);
    }

    /**
     * The operation checkpoint every channel operation passes. Returns the carrier to use after it
     * (the checkpoint may move the goroutine), or null when the caller is not a goroutine, which
     * only a non-blocking operation may be.
     *
     * <p>Concurrency: any thread.
     *
     * @throws IllegalStateException if {@code block} and the caller is not a goroutine
     */
    static Carrier checkpoint(boolean block) {
        Carrier cr = block ? Carrier.current() : Carrier.currentOrNull();
        if (cr == null) {
            return null;
        }
        cr.operationCheckpoint();
        return Carrier.current();
    }

    /**
     * Port of runtime.chansend. Returns false only when {@code block} is false and the send
     * would block.
     *
     * <p>Concurrency: a goroutine; any thread when {@code block} is false (see "Non-blocking
     * operations from any thread"); takes and releases lock.
     */
    boolean chansend(Object ep, boolean block) {
        Carrier cr = checkpoint(block);
        if (this == NIL) {
            if (!block) {
                return false;
            }
            blockForever(WaitReason.CHAN_SEND_NIL_CHAN);
        }
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new ClosedChannelException("send on closed channel");
        }
        Sudog sg = recvq.dequeue();
        if (sg != null) {
            sendDirect(sg, ep);
            lock.unlock();
            goready(cr, sg, true);
            return true;
        }
        if (qcount() < dataqsiz) {
            bufsend(ep);
            lock.unlock();
            return true;
        }
        if (!block) {
            lock.unlock();
            return false;
        }
        Sudog mysg = Sudog.acquireSudog(cr);
        mysg.elem = ep;
        mysg.g = cr.currentGoroutine();
        mysg.c = this;
        sendq.enqueue(mysg);
        parkOn(cr, WaitReason.CHAN_SEND, mysg, sendq);
        boolean ok = mysg.success;
        Sudog.releaseSudog(Carrier.current(), mysg);
        if (!ok) {
            throw new ClosedChannelException("send on closed channel");
        }
        return true;
    }

    /**
     * Port of runtime.chanrecv: returns the element, null when the channel is closed and
     * drained, or {@link #WOULD_BLOCK} when {@code block} is false and the receive would block.
     *
     * <p>Concurrency: a goroutine; any thread when {@code block} is false; takes and releases
     * lock.
     */
    Object chanrecv(boolean block) {
        Carrier cr = checkpoint(block);
        if (this == NIL) {
            if (!block) {
                return WOULD_BLOCK;
            }
            blockForever(WaitReason.CHAN_RECEIVE_NIL_CHAN);
        }
        lock.lock();
        if (closed) {
            if (qcount() == 0) {
                lock.unlock();
                return null;
            }
            // Closed, but the buffer still holds values: receive them first.
        } else {
            Sudog sg = sendq.dequeue();
            if (sg != null) {
                Object v = recvDirect(sg);
                lock.unlock();
                goready(cr, sg, true);
                return v;
            }
        }
        if (qcount() > 0) {
            Object v = bufrecv();
            lock.unlock();
            return v;
        }
        if (!block) {
            lock.unlock();
            return WOULD_BLOCK;
        }
        Sudog mysg = Sudog.acquireSudog(cr);
        mysg.g = cr.currentGoroutine();
        mysg.c = this;
        recvq.enqueue(mysg);
        parkOn(cr, WaitReason.CHAN_RECEIVE, mysg, recvq);
        Object v = mysg.success ? mysg.elem : null;
        Sudog.releaseSudog(Carrier.current(), mysg);
        return v;
    }

    /**
     * Parks forever (Go's {@code gopark(nil, nil, waitReasonChanSendNilChan, ...)}): nothing can
     * ready the goroutine, so deadlock detection counts it as blocked.
     *
     * <p>Concurrency: a goroutine.
     */
    static void blockForever(WaitReason reason) {
        for (; ; ) {
            Carrier.current().park(reason, null, null);
        }
    }

    /**
     * Parks on this channel with the lock held (Go's {@code gopark(chanparkcommit, ...)}). If the
     * park throws (its runtime closed under a goroutine that could not leave its carrier), the
     * park's unlock function has released the lock (Carrier.park's postcondition): withdraw the
     * sudog under the lock again and rethrow, leaving the channel consistent.
     *
     * <p>Concurrency: a goroutine; requires lock, which is released on return.
     */
    private void parkOn(Carrier cr, WaitReason reason, Sudog mysg, WaitQ q) {
        assert lock.isHeld();
        try {
            cr.park(reason, lock, ParkCommit.UNLOCK_SPINLOCK);
        } catch (IllegalStateException e) {
            // Precondition of the cleanup: the lock is not held (park released it).
            withdraw(mysg, q);
            throw e;
        }
    }

    /**
     * Unlinks {@code mysg} from {@code q} if a waker has not already taken it. The sudog is dropped,
     * not cached: a waker that took it may still write to it.
     *
     * <p>Concurrency: the goroutine that queued {@code mysg}; takes and releases lock.
     */
    private void withdraw(Sudog mysg, WaitQ q) {
        lock.lock();
        q.dequeueSudog(mysg);
        lock.unlock();
    }

    /**
     * Port of runtime.closechan.
     *
     * <p>Concurrency: any thread; takes and releases lock.
     */
    private void closechan() {
        Carrier cr = checkpoint(false);
        if (this == NIL) {
            throw new ClosedChannelException("close of nil channel");
        }
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new ClosedChannelException("close of closed channel");
        }
        closed = true;
        Sudog glist = null;
        for (Sudog sg; (sg = recvq.dequeue()) != null; ) {
            sg.elem = null;
            sg.waitlink = glist;
            glist = sg;
        }
        for (Sudog sg; (sg = sendq.dequeue()) != null; ) {
            sg.elem = null;
            sg.waitlink = glist;
            glist = sg;
        }
        lock.unlock();
        // Ready everyone now that the lock is released. Read the link before readying: the woken
        // goroutine releases its sudog.
        while (glist != null) {
            Sudog sg = glist;
            glist = sg.waitlink;
            sg.waitlink = null;
            goready(cr, sg, false);
        }
    }

    // ---- public API ----

    /**
     * Go's {@code make(chan T, capacity)}: capacity 0 is an unbuffered (synchronous) channel. The
     * buffer's memory grows with the values it holds (up to {@code capacity}), so a large capacity
     * costs nothing until it is used.
     *
     * @throws IllegalArgumentException if {@code capacity} is negative or above {@link
     *     #MAX_CAPACITY}
     */
    public static <T> Chan<T> make(int capacity) {
        if (capacity < 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("makechan: size out of range: " + capacity);
        }
        return new Chan<>(capacity);
    }

    /**
     * Go's nil channel ({@code var c chan T}): a send or receive blocks forever (deadlock
     * detection counts the goroutine), {@link #trySend} returns false, {@link #tryRecv} null,
     * {@link #close()} throws, and a {@link Select} case on it is never ready. One shared
     * instance.
     */
    @SuppressWarnings("unchecked")
    public static <T> Chan<T> nil() {
        return (Chan<T>) NIL;
    }

    /**
     * Go's {@code c <- v}: blocks until a receiver takes {@code v} or the buffer has room.
     *
     * @throws NullPointerException if {@code v} is null
     * @throws ClosedChannelException if the channel is closed, or is closed while this waits
     * @throws IllegalStateException if not called from a goroutine
     */
    public void send(T v) {
        Objects.requireNonNull(v, "chan element");
        chansend(v, true);
    }

    /**
     * Go's {@code select { case c <- v: return true; default: return false }}.
     *
     * @throws NullPointerException if {@code v} is null
     * @throws ClosedChannelException if the channel is closed
     */
    public boolean trySend(T v) {
        Objects.requireNonNull(v, "chan element");
        return chansend(v, false);
    }

    /**
     * Go's {@code <-c}: blocks until a value arrives; null once the channel is closed and its
     * buffer drained.
     */
    @SuppressWarnings("unchecked")
    public T recv() {
        return (T) chanrecv(true);
    }

    /** Go's {@code v, ok := <-c}. */
    @SuppressWarnings("unchecked")
    public Received<T> recvOk() {
        Object v = chanrecv(true);
        return v == null ? Received.closed() : new Received<>((T) v, true);
    }

    /**
     * Go's {@code select { case v, ok := <-c: ...; default: ... }}: null when no value is ready
     * and the channel is open (the default case); otherwise as {@link #recvOk()}.
     */
    @SuppressWarnings("unchecked")
    public Received<T> tryRecv() {
        Object v = chanrecv(false);
        if (v == WOULD_BLOCK) {
            return null;
        }
        return v == null ? Received.closed() : new Received<>((T) v, true);
    }

    /**
     * Go's {@code close(c)}: wakes every waiting receiver (which then see {@code ok=false}) and
     * every waiting sender (which throw {@link ClosedChannelException}). Buffered values can still
     * be received.
     *
     * @throws ClosedChannelException if the channel is already closed, or is the {@link #nil()}
     *     channel ("close of nil channel")
     */
    public void close() {
        closechan();
    }

    /** Go's {@code len(c)}: the number of buffered elements, read without the lock (opaque). */
    public int len() {
        return (int) QCOUNT.getOpaque(this);
    }

    /** Go's {@code cap(c)}. */
    public int cap() {
        return dataqsiz;
    }

    /** Go's {@code for v := range c}: receives until the channel is closed and drained. */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private T next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (done) {
                    return false;
                }
                next = recv();
                done = next == null;
                return !done;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("channel closed");
                }
                T v = next;
                next = null;
                return v;
            }
        };
    }

    @Override
    public String toString() {
        return "Chan#" + id + "(cap " + dataqsiz + ")";
    }
}
