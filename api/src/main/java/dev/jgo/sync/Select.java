package dev.jgo.sync;

import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.Carrier.ParkUnlock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Go's {@code select} statement: port of {@code runtime/select.go}'s {@code selectgo}.
 *
 * <pre>{@code
 * Select.create()
 *     .recv(in, v -> handle(v))              // case v := <-in   (v null once in is closed)
 *     .recvOk(done, r -> stop(r.ok()))        // case v, ok := <-done
 *     .send(out, x, () -> sent())             // case out <- x
 *     .otherwise(() -> idle())                // default
 *     .select();
 * }</pre>
 *
 * <p>{@link #select()} waits until one case can proceed, performs it, runs its handler (outside
 * every channel lock) and returns the case's index in the order the cases were added, or -1 for
 * the default case. Among cases ready at once one is chosen uniformly at random. A null channel,
 * like {@link Chan#nil()}, is Go's nil channel: its case is never ready. With no case that can ever be ready and no default,
 * the goroutine blocks forever (Go's {@code select {}}), which deadlock detection sees.
 *
 * <p>A {@code Select} may be built once and selected many times (no allocation per select beyond
 * Go's), but by one goroutine at a time: it holds the state of the select in progress.
 *
 * <h2>Design note: Select</h2>
 *
 * <p>Problem: wait on several channels at once, commit to exactly one case, and leave no trace in
 * the other channels, while senders, receivers and closers on each of them race with us and with
 * other selects on overlapping channel sets.
 *
 * <p>Rejected approaches: polling the cases in a loop (burns the P, no fairness bound); a global
 * select lock (serialises unrelated channels); locking channels in case order (two selects that
 * list the same two channels in opposite orders deadlock).
 *
 * <p>Protocol (Go's):
 *
 * <ol>
 *   <li>Generate a random permutation of the non-nil cases (the poll order) and sort the cases by
 *       channel {@link Chan#id} (the lock order). Lock every channel in lock order, each once
 *       ({@link #sellock}): the single global order makes deadlock impossible.
 *   <li>Pass 1: look for a case that can proceed now, in poll order: a send to a closed channel
 *       throws; a send with a waiting receiver or buffer room, a receive with a waiting sender,
 *       buffered data or a closed channel proceeds. Unlock all and run the handler. If none, and
 *       there is a default, unlock all and run it.
 *   <li>Pass 2: enqueue one sudog per case on its channel's queue (all pointing at this select),
 *       then park; the park's unlock function ({@link #SELPARKCOMMIT}) unlocks every channel once
 *       the goroutine is off its carrier.
 *   <li>A waker on any of the channels dequeues our sudog and claims the goroutine by CAS of
 *       {@link #selectDone} from 0 to 1 (under its own channel's lock only); a loser skips the
 *       sudog. The winner records the sudog in {@link #param} and readies us.
 *   <li>Pass 3: lock all again, take the winning sudog from {@link #param}, dequeue our other
 *       sudogs from their queues (some may already be unlinked by losing wakers), release all
 *       sudogs, unlock, and report the winning case (a send woken by close throws).
 * </ol>
 */
public final class Select {

    private static final int RECV = 0;
    private static final int RECV_OK = 1;
    private static final int SEND = 2;

    private static final VarHandle SELECT_DONE;

    static {
        try {
            SELECT_DONE = MethodHandles.lookup().findVarHandle(Select.class, "selectDone", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Port of runtime.selparkcommit: unlocks every channel once the goroutine is parked. */
    private static final ParkUnlock SELPARKCOMMIT = (g, l) -> {
        ((Select) l).selunlock();
        return true;
    };

    // ---- the cases (owned by the building/selecting goroutine) ----

    private Chan<?>[] chans = new Chan<?>[4];
    private int[] kinds = new int[4];
    private Object[] elems = new Object[4];
    private Object[] handlers = new Object[4];
    private int ncases;
    private Runnable otherwise;

    // ---- the select in progress (owned by the selecting goroutine) ----

    private int[] pollorder = new int[0];
    private int[] lockorder = new int[0];
    private Sudog[] sgs = new Sudog[0];

    /** Non-nil cases of the select in progress; read by {@link #selunlock} before its unlocks. */
    private int norder;

    /** The chosen receive case's value (null when closed) and Go's {@code recvOK}. */
    private Object recvValue;

    private boolean recvOk;

    // ---- shared with wakers ----

    /**
     * Go's {@code gp.selectDone}: 0 while waiting, 1 once a waker claimed this select. CAS
     * (volatile) by wakers holding one channel lock each; reset by the owner holding all of them.
     */
    @SuppressWarnings("unused")
    private int selectDone;

    /**
     * Go's {@code gp.param}: the winning sudog, written by the waker that won {@link
     * #selectDone} before it readies us (published by the run queue hand-off).
     */
    Sudog param;

    private Select() {}

    /** A select with no cases. */
    public static Select create() {
        return new Select();
    }

    // ---- internal ----

    /**
     * Claims this select for a waker (Go's {@code sgp.g.selectDone.CompareAndSwap(0, 1)}).
     *
     * <p>Concurrency: any goroutine holding the lock of a channel this select waits on.
     */
    boolean casSelectDone() {
        return SELECT_DONE.compareAndSet(this, 0, 1);
    }

    private Select add(Object ch, int kind, Object elem, Object handler) {
        Chan<?> c = ch == Chan.nil() ? null : (Chan<?>) ch; // the nil channel's case is never ready
        if (ncases == chans.length) {
            int n = ncases * 2;
            chans = Arrays.copyOf(chans, n);
            kinds = Arrays.copyOf(kinds, n);
            elems = Arrays.copyOf(elems, n);
            handlers = Arrays.copyOf(handlers, n);
        }
        chans[ncases] = c;
        kinds[ncases] = kind;
        elems[ncases] = elem;
        handlers[ncases] = handler;
        ncases++;
        return this;
    }

    /**
     * Port of runtime.sellock: locks each distinct channel once, in lock order.
     *
     * <p>Concurrency: the selecting goroutine; no channel lock held.
     */
    private void sellock() {
        Chan<?> prev = null;
        for (int i = 0; i < norder; i++) {
            Chan<?> c = chans[lockorder[i]];
            if (c != prev) {
                prev = c;
                c.lock.lock();
            }
        }
    }

    /**
     * Port of runtime.selunlock: unlocks each distinct channel once, in reverse lock order. Once
     * the last lock is released a woken selecting goroutine may run and reuse this object, so the
     * loop reads nothing after its final unlock.
     *
     * <p>Concurrency: the selecting goroutine, or its carrier in the park's unlock function; every
     * channel lock held.
     */
    private void selunlock() {
        int[] lo = lockorder;
        Chan<?>[] cs = chans;
        for (int i = norder - 1; i >= 0; i--) {
            Chan<?> c = cs[lo[i]];
            if (i > 0 && c == cs[lo[i - 1]]) {
                continue; // unlock the duplicate at its lowest position only
            }
            c.lock.unlock();
        }
    }

    /** Parks forever (Go's {@code block()}): deadlock detection sees the goroutine. */
    private static void block(WaitReason reason) {
        for (; ; ) {
            Carrier.current().park(reason, null, null);
        }
    }

    /**
     * Port of runtime.selectgo: returns the chosen case index, -1 for default. A receive case's
     * outcome is left in {@link #recvValue} and {@link #recvOk}.
     *
     * <p>Concurrency: the selecting goroutine; takes and releases the channel locks.
     */
    private int selectgo() {
        Carrier cr = Carrier.current();
        cr.operationCheckpoint();
        cr = Carrier.current();
        int n = ncases;
        if (pollorder.length < n) {
            pollorder = new int[n];
            lockorder = new int[n];
            sgs = new Sudog[n];
        }
        // Step 1: poll order, a uniform random permutation of the non-nil cases (Go's insertion
        // form of Fisher-Yates), then lock order by channel id (insertion sort: n is small).
        int[] po = pollorder;
        int[] lo = lockorder;
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (chans[i] == null) {
                continue;
            }
            int j = cr.cheaprandn(k + 1); // seeded per P when the runtime has a seed
            po[k] = po[j];
            po[j] = i;
            k++;
        }
        norder = k;
        if (k == 0) {
            if (otherwise != null) {
                return -1;
            }
            block(n == 0 ? WaitReason.SELECT_NO_CASES : WaitReason.SELECT);
        }
        for (int i = 0; i < k; i++) {
            int v = po[i];
            long id = chans[v].id;
            int j = i;
            while (j > 0 && chans[lo[j - 1]].id > id) {
                lo[j] = lo[j - 1];
                j--;
            }
            lo[j] = v;
        }
        sellock();

        // Step 2, pass 1: a case that can proceed now.
        for (int i = 0; i < k; i++) {
            int casi = po[i];
            Chan<?> c = chans[casi];
            if (kinds[casi] == SEND) {
                if (c.closed) {
                    selunlock();
                    throw new ClosedChannelException("send on closed channel");
                }
                Sudog sg = c.recvq.dequeue();
                if (sg != null) {
                    Chan.sendDirect(sg, elems[casi]);
                    selunlock();
                    Chan.goready(cr, sg, true);
                    return casi;
                }
                if (c.bufHasRoom()) {
                    c.bufsend(elems[casi]);
                    selunlock();
                    return casi;
                }
            } else {
                Sudog sg = c.sendq.dequeue();
                if (sg != null) {
                    recvValue = c.recvDirect(sg);
                    recvOk = true;
                    selunlock();
                    Chan.goready(cr, sg, true);
                    return casi;
                }
                if (c.qcount() > 0) {
                    recvValue = c.bufrecv();
                    recvOk = true;
                    selunlock();
                    return casi;
                }
                if (c.closed) {
                    selunlock();
                    return casi;
                }
            }
        }
        if (otherwise != null) {
            selunlock();
            return -1;
        }

        // Step 3, pass 2: enqueue on every channel, in lock order, and park.
        Goroutine gp = cr.currentGoroutine();
        // No sudog of ours is queued, so no waker can touch selectDone now; the park's unlock
        // (a release) publishes this reset before any waker can find our new sudogs.
        SELECT_DONE.setOpaque(this, 0);
        param = null;
        for (int i = 0; i < k; i++) {
            int casi = lo[i];
            Chan<?> c = chans[casi];
            Sudog sg = Sudog.acquireSudog(cr);
            sg.g = gp;
            sg.sel = this;
            sg.c = c;
            sgs[casi] = sg;
            if (kinds[casi] == SEND) {
                sg.elem = elems[casi];
                c.sendq.enqueue(sg);
            } else {
                c.recvq.enqueue(sg);
            }
        }
        try {
            cr.park(WaitReason.SELECT, this, SELPARKCOMMIT);
        } catch (IllegalStateException e) {
            // The runtime closed under a goroutine that could not leave its carrier: the park's
            // unlock function released every lock (Carrier.park's postcondition). Withdraw our
            // sudogs under the locks again; they are dropped, not cached (a waker that took one
            // may still write to it).
            sellock();
            withdrawAll();
            selunlock();
            throw e;
        }

        // Step 5, pass 3: lock all, find the winner, withdraw the others.
        cr = Carrier.current();
        sellock();
        Sudog won = param;
        param = null;
        assert won != null && won.sel == this : "select woken without a winning case";
        int casi = -1;
        for (int i = 0; i < k; i++) {
            int c = lo[i];
            if (sgs[c] == won) {
                casi = c;
                break;
            }
        }
        boolean success = won.success;
        Object v = won.elem;
        won.elem = null;
        dequeueAll(cr, won);
        selunlock();
        if (kinds[casi] == SEND) {
            if (!success) {
                throw new ClosedChannelException("send on closed channel");
            }
        } else {
            recvValue = success ? v : null;
            recvOk = success;
        }
        return casi;
    }

    /**
     * Unlinks every sudog of the select in progress except {@code won} from its channel's queue and
     * releases them all to the P's cache.
     *
     * <p>Concurrency: the selecting goroutine; every channel lock held.
     */
    private void dequeueAll(Carrier cr, Sudog won) {
        for (int i = 0; i < norder; i++) {
            int casi = lockorder[i];
            Sudog sg = sgs[casi];
            sgs[casi] = null;
            if (sg != won) {
                if (kinds[casi] == SEND) {
                    chans[casi].sendq.dequeueSudog(sg);
                } else {
                    chans[casi].recvq.dequeueSudog(sg);
                }
            }
            Sudog.releaseSudog(cr, sg);
        }
    }

    /**
     * Unlinks every sudog of the select in progress from its channel's queue (some may already be
     * taken by wakers) and forgets them, without releasing them to a cache.
     *
     * <p>Concurrency: the selecting goroutine; every channel lock held.
     */
    private void withdrawAll() {
        for (int i = 0; i < norder; i++) {
            int casi = lockorder[i];
            Sudog sg = sgs[casi];
            sgs[casi] = null;
            if (kinds[casi] == SEND) {
                chans[casi].sendq.dequeueSudog(sg);
            } else {
                chans[casi].recvq.dequeueSudog(sg);
            }
        }
    }

    // ---- public API ----

    /**
     * Adds {@code case v := <-ch}: {@code handler} gets the value, or null if {@code ch} is closed
     * and drained. A null {@code ch} is never ready.
     */
    public <T> Select recv(RecvChan<T> ch, Consumer<? super T> handler) {
        return add(ch, RECV, null, Objects.requireNonNull(handler, "handler"));
    }

    /** Adds {@code case v, ok := <-ch}. A null {@code ch} is never ready. */
    public <T> Select recvOk(RecvChan<T> ch, Consumer<? super Received<T>> handler) {
        return add(ch, RECV_OK, null, Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Adds {@code case ch <- v}; {@code handler} runs once {@code v} is sent. A null {@code ch}
     * is never ready.
     *
     * @throws NullPointerException if {@code v} is null
     */
    public <T> Select send(SendChan<T> ch, T v, Runnable handler) {
        return add(ch, SEND, Objects.requireNonNull(v, "chan element"), Objects.requireNonNull(handler, "handler"));
    }

    /** Sets the default case, run when no other case is ready. */
    public Select otherwise(Runnable handler) {
        this.otherwise = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /**
     * Runs the select: blocks until a case proceeds (or runs the default case), runs that case's
     * handler, and returns its index in the order the cases were added (-1 for the default case).
     *
     * @throws ClosedChannelException if the chosen case sends on a closed channel (a send case on
     *     a closed channel is ready at once, as in Go)
     * @throws IllegalStateException if not called from a goroutine
     */
    @SuppressWarnings("unchecked")
    public int select() {
        recvValue = null;
        recvOk = false;
        int casi = selectgo();
        Object v = recvValue;
        boolean ok = recvOk;
        recvValue = null;
        if (casi < 0) {
            if (otherwise != null) {
                otherwise.run();
            }
            return -1;
        }
        Object h = handlers[casi];
        switch (kinds[casi]) {
            case RECV -> ((Consumer<Object>) h).accept(v);
            case RECV_OK -> ((Consumer<Object>) h).accept(ok ? new Received<>(v, true) : Received.closed());
            default -> ((Runnable) h).run();
        }
        return casi;
    }
}
