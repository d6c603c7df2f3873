package dev.jgo.sync;

import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.SpinLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Port of {@code runtime/sema.go}: a counting semaphore whose waiters are parked goroutines, the
 * building block of {@link Mutex}, {@link RWMutex} and {@link WaitGroup}.
 *
 * <p>Go keys its wait queues by the semaphore's address in a global table of treaps; here each
 * semaphore owns its queue, which is the same structure with the lookup removed.
 *
 * <h2>Design note: Semaphore wake-ups</h2>
 *
 * <ol>
 *   <li>Acquire: try to decrement {@link #count} by CAS. On failure take {@link #lock},
 *       increment {@link #nwait} (volatile), then try the CAS again: a releaser that added to
 *       {@code count} before our increment of {@code nwait} is seen here; one that added after
 *       sees {@code nwait > 0} (Dekker: both sides store then load, with volatile accesses).
 *       Otherwise queue a sudog (at the tail, or the head for {@code lifo}) and park; the park's
 *       unlock function releases the lock.
 *   <li>Release: increment {@code count} (volatile), read {@code nwait}; if 0 nobody can be
 *       waiting for it. Else lock, dequeue the first waiter, decrement {@code nwait}, unlock.
 *       With {@code handoff}, take the unit back by CAS and give it to the waiter directly
 *       ({@code ticket = 1}), so no barging goroutine can steal it, then ready the waiter and
 *       yield so it runs soon (Mutex starvation mode).
 *   <li>A woken waiter without a ticket retries the CAS and, failing (a barger took the unit),
 *       queues again.
 * </ol>
 */
final class Sema {

    private static final VarHandle COUNT;
    private static final VarHandle NWAIT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNT = l.findVarHandle(Sema.class, "count", int.class);
            NWAIT = l.findVarHandle(Sema.class, "nwait", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Available units (Go's {@code *addr}). Volatile accesses only. */
    @SuppressWarnings("unused")
    private int count;

    /** Waiters, counted before they queue (Go's {@code root.nwait}). Volatile accesses only. */
    @SuppressWarnings("unused")
    private int nwait;

    private final SpinLock lock = new SpinLock();

    // ---- guarded by lock ----

    private Sudog head;
    private Sudog tail;

    /** Port of runtime.cansemacquire. Concurrency: any goroutine. */
    boolean cansemacquire() {
        for (; ; ) {
            int v = (int) COUNT.getVolatile(this);
            if (v == 0) {
                return false;
            }
            if (COUNT.compareAndSet(this, v, v - 1)) {
                return true;
            }
        }
    }

    /**
     * Port of runtime.semacquire1: waits for a unit. {@code lifo} queues at the head (a waiter
     * that was already woken once, as Mutex's {@code queueLifo}).
     *
     * <p>Concurrency: a goroutine; takes and releases lock.
     */
    void acquire(boolean lifo, WaitReason reason) {
        if (cansemacquire()) {
            return;
        }
        Carrier cr = Carrier.current();
        Sudog s = Sudog.acquireSudog(cr);
        s.g = cr.currentGoroutine();
        for (; ; ) {
            lock.lock();
            NWAIT.getAndAdd(this, 1); // volatile: StoreLoad with cansemacquire below (note step 1)
            if (cansemacquire()) {
                NWAIT.getAndAdd(this, -1);
                lock.unlock();
                break;
            }
            s.ticket = 0;
            queue(s, lifo);
            try {
                cr.park(reason, lock, ParkCommit.UNLOCK_SPINLOCK);
            } catch (IllegalStateException e) {
                // The runtime closed under a goroutine that could not leave its carrier: the park's
                // unlock function released the lock (Carrier.park's postcondition). Withdraw under
                // the lock again; a releaser that already dequeued us also took us off nwait. The
                // sudog is dropped, not cached (that releaser may still write to it).
                lock.lock();
                if (remove(s)) {
                    NWAIT.getAndAdd(this, -1);
                }
                lock.unlock();
                throw e;
            }
            cr = Carrier.current();
            if (s.ticket != 0 || cansemacquire()) {
                break;
            }
        }
        Sudog.releaseSudog(Carrier.current(), s);
    }

    /**
     * Port of runtime.semrelease1: adds a unit and wakes the first waiter. With {@code handoff}
     * the unit goes directly to that waiter and the caller, if a goroutine, yields.
     *
     * <p>Concurrency: any thread (a waiter is readied through its sudog's scheduler when the
     * caller is not a goroutine); takes and releases lock.
     */
    void release(boolean handoff) {
        COUNT.getAndAdd(this, 1); // volatile: StoreLoad with the nwait read (note step 2)
        if ((int) NWAIT.getVolatile(this) == 0) {
            return;
        }
        lock.lock();
        if ((int) NWAIT.getVolatile(this) == 0) {
            lock.unlock();
            return;
        }
        Sudog s = dequeue();
        if (s != null) {
            NWAIT.getAndAdd(this, -1);
        }
        lock.unlock();
        if (s == null) {
            return;
        }
        boolean handed = handoff && cansemacquire();
        if (handed) {
            s.ticket = 1;
        }
        Carrier cr = Carrier.currentOrNull();
        s.ready(cr); // s now belongs to the woken goroutine: no access after this
        if (handed && cr != null && cr.pLocalOrNull() != null) {
            // Go's goyield: let the waiter, now in our runnext, run before we try to take the
            // lock again. Inside Go.blocking there is no P to yield (and no runnext: the waiter
            // went to the global queue).
            cr.gosched();
        }
    }

    /** Concurrency: requires lock. */
    private void queue(Sudog s, boolean lifo) {
        assert lock.isHeld();
        s.next = null;
        if (head == null) {
            head = s;
            tail = s;
        } else if (lifo) {
            s.next = head;
            head = s;
        } else {
            tail.next = s;
            tail = s;
        }
    }

    /** Concurrency: requires lock. */
    private Sudog dequeue() {
        assert lock.isHeld();
        Sudog s = head;
        if (s != null) {
            head = s.next;
            if (head == null) {
                tail = null;
            }
            s.next = null;
        }
        return s;
    }

    /**
     * Unlinks {@code s} (a waiter whose park failed); false if a releaser dequeued it first.
     * Concurrency: requires lock.
     */
    private boolean remove(Sudog s) {
        assert lock.isHeld();
        Sudog prev = null;
        for (Sudog x = head; x != null; prev = x, x = x.next) {
            if (x == s) {
                if (prev == null) {
                    head = s.next;
                } else {
                    prev.next = s.next;
                }
                if (tail == s) {
                    tail = prev;
                }
                s.next = null;
                return true;
            }
        }
        return false;
    }
}
