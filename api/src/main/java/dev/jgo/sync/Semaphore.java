package dev.jgo.sync;

import dev.jgo.context.Context;
import dev.jgo.spi.SpinLock;
import java.util.Objects;

/**
 * Go's {@code golang.org/x/sync/semaphore.Weighted}: a semaphore of {@code size} units that
 * goroutines acquire and release in any weight.
 *
 * <pre>{@code
 * Semaphore sem = new Semaphore(4); // at most 4 jobs at once
 * for (Job j : jobs) {
 *     sem.acquire(1);
 *     Go.go(() -> {
 *         try {
 *             j.run();
 *         } finally {
 *             sem.release(1);
 *         }
 *     });
 * }
 * sem.acquire(4); // wait for all
 * }</pre>
 *
 * <p>Waiters are served in FIFO order: a request that does not fit blocks every later one,
 * so a large request is not starved by a stream of small ones. {@link #acquire(long)} must be
 * called from a goroutine; {@link #tryAcquire} and {@link #release} never park and may be called
 * from any thread.
 *
 * <h2>Design note: Semaphore grants</h2>
 *
 * <ol>
 *   <li>All state ({@link #cur}, the waiter list) is guarded by {@link #lock}, a spin lock held
 *       for a few instructions and never across a park or a channel operation.
 *   <li>Acquire: under the lock, take the units if they are free and nobody waits; else queue a
 *       waiter at the tail and wait for its {@code ready} channel to close.
 *   <li>Release and a withdrawing waiter grant units under the lock, in order from the head,
 *       stopping at the first waiter that does not fit ({@code notifyWaiters}); a grant sets the
 *       waiter's {@code granted} under the lock, and its channel is closed after the unlock.
 *   <li>A waiter that gives up (its context ended) decides under the lock: if already granted,
 *       it gives the units back; else it leaves the list, and if it was at the head, grants to
 *       those behind it.
 * </ol>
 */
public final class Semaphore {

    /** A queued acquire. Fields guarded by the semaphore's lock, except {@code ready}. */
    static final class Waiter {
        final long n;
        final Chan<Object> ready = Chan.make(0);
        boolean granted;
        Waiter prev;
        Waiter next;

        Waiter(long n) {
            this.n = n;
        }
    }

    private final long size;
    private final SpinLock lock = new SpinLock();

    // ---- guarded by lock ----

    private long cur;
    private Waiter head;
    private Waiter tail;

    /**
     * A semaphore with {@code n} units, all free.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public Semaphore(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("semaphore: negative size " + n);
        }
        this.size = n;
    }

    private static void checkWeight(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("semaphore: negative weight " + n);
        }
    }

    /**
     * Go's {@code Acquire(context.Background(), n)}: waits until {@code n} units are free and
     * every earlier waiter is served, then takes them. A request for more than the size waits
     * forever (deadlock detection sees it).
     */
    public void acquire(long n) {
        checkWeight(n);
        Chan.checkpoint(true);
        Waiter w = enqueueOrTake(n);
        if (w != null) {
            w.ready.recv(); // closed by the grant
        }
    }

    /**
     * Go's {@code Acquire(ctx, n)}: as {@link #acquire(long)}, but gives up when {@code ctx} ends
     * first, leaving the semaphore as if it had never been called, and rethrows (unchecked) the
     * very object {@code ctx.err()} returns ({@link Context#CANCELED} or {@link
     * Context#DEADLINE_EXCEEDED}). A context already done fails even if the units are free.
     */
    public void acquire(Context ctx, long n) {
        Objects.requireNonNull(ctx, "context");
        checkWeight(n);
        Chan.checkpoint(true);
        RecvChan<?> done = ctx.done();
        if (done.tryRecv() != null) {
            // ctx becoming done happened before the acquire: fail even if the units are free.
            throw sneaky(ctx.err());
        }
        Waiter w = enqueueOrTake(n);
        if (w == null) {
            return;
        }
        int which = Select.create().recv(done, v -> {}).recv(w.ready, v -> {}).select();
        if (which == 0) {
            withdraw(w); // gives the units back if granted meanwhile
            throw sneaky(ctx.err());
        }
        if (done.tryRecv() != null) {
            release(n); // acquired, but the context ended too: it wins, as in Go
            throw sneaky(ctx.err());
        }
    }

    /** Throws {@code t} unchecked, the same object (a context's error may be any Throwable). */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    /**
     * Takes {@code n} units at once if they are free and nobody waits, else queues a waiter (the
     * start of Go's {@code Acquire}). Returns null when taken.
     *
     * <p>Concurrency: any thread; takes and releases lock.
     */
    Waiter enqueueOrTake(long n) {
        lock.lock();
        try {
            if (size - cur >= n && head == null) {
                cur += n;
                return null;
            }
            Waiter w = new Waiter(n);
            if (n > size) {
                return w; // never granted: not queued, so it blocks nobody (as Go)
            }
            w.prev = tail;
            if (tail == null) {
                head = w;
            } else {
                tail.next = w;
            }
            tail = w;
            return w;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Go's {@code TryAcquire}: takes {@code n} units if they are free and nobody waits.
     * Returns whether it did.
     */
    public boolean tryAcquire(long n) {
        checkWeight(n);
        Chan.checkpoint(false);
        lock.lock();
        try {
            boolean ok = size - cur >= n && head == null;
            if (ok) {
                cur += n;
            }
            return ok;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Go's {@code Release}: returns {@code n} units and serves the waiters they let through.
     *
     * @throws IllegalStateException if more units are released than held ("semaphore: released
     *     more than held"); the state is left unchanged
     */
    public void release(long n) {
        checkWeight(n);
        Chan.checkpoint(false);
        Waiter granted;
        lock.lock();
        try {
            if (cur - n < 0) {
                throw new IllegalStateException("semaphore: released more than held");
            }
            cur -= n;
            granted = notifyWaiters();
        } finally {
            lock.unlock();
        }
        wake(granted);
    }

    /**
     * Withdraws {@code w}, whose acquire gave up (Go's {@code case <-done} branch). Returns true
     * if it had been granted meanwhile: its units are given back.
     *
     * <p>Concurrency: any thread; takes and releases lock.
     */
    boolean withdraw(Waiter w) {
        Waiter granted;
        boolean was;
        lock.lock();
        try {
            was = w.granted;
            if (was) {
                cur -= w.n; // granted after the context ended: pretend it was not
                granted = notifyWaiters();
            } else {
                boolean isFront = head == w;
                if (w.n <= size) {
                    unlink(w);
                }
                granted = isFront && size > cur ? notifyWaiters() : null;
            }
        } finally {
            lock.unlock();
        }
        wake(granted);
        return was;
    }

    /**
     * Port of semaphore.(*Weighted).notifyWaiters: grants units to waiters from the head while
     * they fit; returns the granted ones, linked through {@code next}.
     *
     * <p>Concurrency: requires lock.
     */
    private Waiter notifyWaiters() {
        assert lock.isHeld();
        Waiter first = null;
        Waiter last = null;
        for (Waiter w = head; w != null && size - cur >= w.n; w = head) {
            // Not enough units for the next waiter: stop, even if later (smaller) ones would
            // fit, so that a large request is not starved.
            cur += w.n;
            unlink(w);
            w.granted = true;
            if (last == null) {
                first = w;
            } else {
                last.next = w;
            }
            last = w;
        }
        return first;
    }

    /** Closes the ready channels of granted waiters. Concurrency: any thread; lock not held. */
    private static void wake(Waiter w) {
        while (w != null) {
            Waiter next = w.next;
            w.next = null;
            w.ready.close();
            w = next;
        }
    }

    /** Concurrency: requires lock. */
    private void unlink(Waiter w) {
        if (w.prev == null) {
            if (head == w) {
                head = w.next;
            }
        } else {
            w.prev.next = w.next;
        }
        if (w.next == null) {
            if (tail == w) {
                tail = w.prev;
            }
        } else {
            w.next.prev = w.prev;
        }
        w.prev = null;
        w.next = null;
    }

    /** Units held now (tests). */
    long held() {
        lock.lock();
        try {
            return cur;
        } finally {
            lock.unlock();
        }
    }

    /** Queued waiters (tests). */
    int waiters() {
        lock.lock();
        try {
            int n = 0;
            for (Waiter w = head; w != null; w = w.next) {
                n++;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }
}
