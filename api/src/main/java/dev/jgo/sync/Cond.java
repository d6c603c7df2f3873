package dev.jgo.sync;

import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.SpinLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * Go's {@code sync.Cond}: a rendezvous point for goroutines waiting for, or announcing, a change
 * of state guarded by a {@link Locker}.
 *
 * <pre>{@code
 * Mutex mu = new Mutex();
 * Cond ready = new Cond(mu);
 * // waiter
 * mu.lock();
 * while (!done) {
 *     ready.await(); // unlocks mu, parks, relocks mu
 * }
 * mu.unlock();
 * // announcer
 * mu.lock();
 * done = true;
 * mu.unlock();
 * ready.broadcast();
 * }</pre>
 *
 * <p>{@link #await()} must be called from a goroutine holding {@link #locker()}; {@link
 * #signal()} and {@link #broadcast()} never park and may be called from any thread, with or
 * without the lock held.
 *
 * <h2>Design note: Cond tickets (Go's notifyList)</h2>
 *
 * <p>Problem: {@code await} releases the lock before it parks, so a {@code signal} can run
 * between the two; it must not be lost, and it must wake the goroutine that has waited longest.
 *
 * <p>Rejected: queueing the waiter before releasing the lock (the waiter would have to hold the
 * list lock while calling the user's {@code unlock}, which may park); a counter of pending
 * signals (a signal sent while nobody waits would wake a later waiter, which Go's Cond never
 * does).
 *
 * <p>Protocol (port of {@code runtime/sema.go}'s {@code notifyList}):
 *
 * <ol>
 *   <li>{@code await}, still holding the user's lock, takes a ticket: {@link #wait} is
 *       incremented atomically ({@code notifyListAdd}). Tickets order the waiters.
 *   <li>It releases the user's lock, then takes {@link #lock}: if {@link #notify} has passed its
 *       ticket, a signal already covered it and it returns at once; else it queues a sudog with
 *       the ticket and parks, the park's unlock function releasing {@code lock}
 *       ({@code notifyListWait}).
 *   <li>{@code signal}: if {@code wait == notify} nobody holds an uncovered ticket (fast path,
 *       no lock). Else under {@code lock}, take ticket {@code t = notify}, advance {@code
 *       notify}, and ready the queued sudog with ticket {@code t} if it has queued; if it has
 *       not, step 2 will see its ticket covered ({@code notifyListNotifyOne}).
 *   <li>{@code broadcast}: under {@code lock} set {@code notify = wait}, take the whole list,
 *       and ready every sudog after unlocking ({@code notifyListNotifyAll}).
 * </ol>
 *
 * <p>Tickets are {@code int}s compared with wrap-around ({@code a - b < 0}), as Go's uint32s.
 */
public final class Cond {

    private static final VarHandle WAIT;
    private static final VarHandle NOTIFY;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WAIT = l.findVarHandle(Cond.class, "wait", int.class);
            NOTIFY = l.findVarHandle(Cond.class, "notify", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Locker l;

    /** Next ticket to hand out (Go's {@code notifyList.wait}). Volatile accesses (getAndAdd). */
    @SuppressWarnings("unused")
    private int wait;

    /**
     * Next ticket to be notified (Go's {@code notifyList.notify}). Written under {@link #lock}
     * (volatile store); read without it by the fast paths (volatile load).
     */
    @SuppressWarnings("unused")
    private int notify;

    private final SpinLock lock = new SpinLock();

    // ---- guarded by lock ----

    private Sudog head;
    private Sudog tail;

    /**
     * A condition variable guarded by {@code l}.
     *
     * @throws NullPointerException if {@code l} is null
     */
    public Cond(Locker l) {
        this.l = Objects.requireNonNull(l, "locker");
    }

    /** Port of runtime.less: {@code a < b} on wrapping tickets. */
    static boolean less(int a, int b) {
        return a - b < 0;
    }

    /** Go's {@code c.L}: the lock held while observing or changing the condition. */
    public Locker locker() {
        return l;
    }

    /**
     * Go's {@code Wait}: unlocks {@link #locker()}, parks until woken by {@link #signal()} or
     * {@link #broadcast()}, and locks it again before returning. The condition may not hold on
     * return: call it in a loop.
     */
    public void await() {
        Carrier.current().operationCheckpoint();
        int t = (int) WAIT.getAndAdd(this, 1); // notifyListAdd, under l (note step 1)
        l.unlock();
        try {
            notifyListWait(t);
        } finally {
            l.lock();
        }
    }

    /**
     * Port of runtime.notifyListWait: parks until ticket {@code t} is notified.
     *
     * <p>Concurrency: a goroutine; takes lock, released by the park.
     */
    private void notifyListWait(int t) {
        Carrier cr = Carrier.current();
        lock.lock();
        if (less(t, (int) NOTIFY.getVolatile(this))) {
            lock.unlock(); // already notified (note step 2)
            return;
        }
        Sudog s = Sudog.acquireSudog(cr);
        s.g = cr.currentGoroutine();
        s.ticket = t;
        s.next = null;
        if (tail == null) {
            head = s;
        } else {
            tail.next = s;
        }
        tail = s;
        try {
            cr.park(WaitReason.SYNC_COND_WAIT, lock, ParkCommit.UNLOCK_SPINLOCK);
        } catch (IllegalStateException e) {
            // The runtime closed under a goroutine that could not leave its carrier: the park's
            // unlock function released the lock (Carrier.park's postcondition). Withdraw under the
            // lock again; a signal may have dequeued us first. The sudog is dropped, not cached
            // (that signaller may still ready it).
            lock.lock();
            remove(s);
            lock.unlock();
            throw e;
        }
        Sudog.releaseSudog(Carrier.current(), s);
    }

    /**
     * Go's {@code Signal}: wakes the goroutine that has waited longest, if any.
     *
     * <p>Port of runtime.notifyListNotifyOne. Concurrency: any thread.
     */
    public void signal() {
        Chan.checkpoint(false);
        // volatile loads: a waiter's ticket increment is visible here or its list check sees us
        if ((int) WAIT.getVolatile(this) == (int) NOTIFY.getVolatile(this)) {
            return;
        }
        lock.lock();
        int t = (int) NOTIFY.getVolatile(this);
        if (t == (int) WAIT.getVolatile(this)) {
            lock.unlock();
            return;
        }
        NOTIFY.setVolatile(this, t + 1);
        Sudog s = null;
        for (Sudog p = null, x = head; x != null; p = x, x = x.next) {
            if (x.ticket == t) {
                unlink(p, x);
                s = x;
                break;
            }
        }
        lock.unlock();
        if (s != null) {
            s.ready(Carrier.currentOrNull()); // s belongs to the woken goroutine from here
        }
    }

    /**
     * Go's {@code Broadcast}: wakes every waiting goroutine.
     *
     * <p>Port of runtime.notifyListNotifyAll. Concurrency: any thread.
     */
    public void broadcast() {
        Chan.checkpoint(false);
        if ((int) WAIT.getVolatile(this) == (int) NOTIFY.getVolatile(this)) {
            return;
        }
        lock.lock();
        Sudog s = head;
        head = null;
        tail = null;
        NOTIFY.setVolatile(this, (int) WAIT.getVolatile(this));
        lock.unlock();
        Carrier cr = Carrier.currentOrNull();
        while (s != null) {
            Sudog next = s.next;
            s.next = null; // read before ready: the woken goroutine releases s
            s.ready(cr);
            s = next;
        }
    }

    /** Concurrency: requires lock. */
    private void unlink(Sudog prev, Sudog s) {
        assert lock.isHeld();
        if (prev == null) {
            head = s.next;
        } else {
            prev.next = s.next;
        }
        if (tail == s) {
            tail = prev;
        }
        s.next = null;
    }

    /** Concurrency: requires lock. */
    private void remove(Sudog s) {
        for (Sudog p = null, x = head; x != null; p = x, x = x.next) {
            if (x == s) {
                unlink(p, x);
                return;
            }
        }
    }

    /** Waiters queued and not yet woken (tests). Concurrency: any thread; takes lock. */
    int queued() {
        lock.lock();
        try {
            int n = 0;
            for (Sudog x = head; x != null; x = x.next) {
                n++;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }
}
