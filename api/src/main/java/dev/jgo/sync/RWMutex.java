package dev.jgo.sync;

import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Go's {@code sync.RWMutex}: many readers or one writer; as a {@link Locker}, its write lock. Writer preference as Go: once a writer
 * calls {@link #lock()}, new readers wait until it has had the lock, so a stream of readers cannot
 * starve a writer (and a reader must not recursively read-lock). {@link #rLock()} and {@link
 * #lock()} must be called from a goroutine; the try and unlock methods never park and may be
 * called from any thread, as {@link Mutex}'s. The unlocks pass their operation checkpoint after
 * releasing (see {@link Mutex#unlock()}).
 *
 * <p>Protocol (Go's): {@code readerCount} counts active readers; a writer subtracts {@link
 * #MAX_READERS} to announce itself (the count goes negative, so arriving readers park on {@code
 * readerSem}), then waits on {@code writerSem} for the readers that were active at that moment
 * ({@code readerWait}); the last of them releases it. Unlock adds {@code MAX_READERS} back and
 * releases one unit of {@code readerSem} per reader that arrived meanwhile.
 */
public final class RWMutex implements Locker {

    /** Go's {@code rwmutexMaxReaders}. */
    static final int MAX_READERS = 1 << 30;

    private final Mutex w = new Mutex();
    private final Sema writerSem = new Sema();
    private final Sema readerSem = new Sema();
    private final AtomicInteger readerCount = new AtomicInteger();
    private final AtomicInteger readerWait = new AtomicInteger();

    private final Locker rlocker = new Locker() {
        @Override
        public void lock() {
            rLock();
        }

        @Override
        public void unlock() {
            rUnlock();
        }
    };

    /** An unlocked RWMutex. */
    public RWMutex() {}

    /** Go's {@code RLock}: waits while a writer holds or waits for the lock. */
    public void rLock() {
        Carrier.current().operationCheckpoint();
        if (readerCount.incrementAndGet() < 0) {
            // A writer is pending: wait for it.
            readerSem.acquire(false, WaitReason.SYNC_RWMUTEX_RLOCK);
        }
    }

    /** Go's {@code TryRLock}. */
    public boolean tryRLock() {
        Chan.checkpoint(false);
        for (; ; ) {
            int c = readerCount.get();
            if (c < 0) {
                return false;
            }
            if (readerCount.compareAndSet(c, c + 1)) {
                return true;
            }
        }
    }

    /**
     * Go's {@code RUnlock}.
     *
     * @throws IllegalStateException if not read-locked ("sync: RUnlock of unlocked RWMutex")
     */
    public void rUnlock() {
        int r;
        for (; ; ) {
            int c = readerCount.get();
            // Precondition: a reader holds the lock (Go's check, made before the decrement, not
            // undone after it: a writer or reader that saw the transient count would wait for a
            // reader that does not exist).
            if (c == 0 || c == -MAX_READERS) {
                throw new IllegalStateException("sync: RUnlock of unlocked RWMutex");
            }
            if (readerCount.compareAndSet(c, c - 1)) {
                r = c - 1;
                break;
            }
        }
        if (r < 0) {
            rUnlockSlow();
        }
        Chan.checkpoint(false); // after the release: see Mutex#unlock
    }

    private void rUnlockSlow() {
        // A writer is pending.
        if (readerWait.decrementAndGet() == 0) {
            // The last reader unblocks the writer.
            writerSem.release(false);
        }
    }

    /** Go's {@code Lock}: waits for other writers, then for the active readers. */
    @Override
    public void lock() {
        // First, resolve competition with other writers.
        w.lock();
        // Announce to readers there is a pending writer.
        int r = readerCount.addAndGet(-MAX_READERS) + MAX_READERS;
        // Wait for active readers.
        if (r != 0 && readerWait.addAndGet(r) != 0) {
            writerSem.acquire(false, WaitReason.SYNC_RWMUTEX_LOCK);
        }
    }

    /** Go's {@code TryLock}. */
    public boolean tryLock() {
        if (!w.tryLock()) {
            return false;
        }
        if (!readerCount.compareAndSet(0, -MAX_READERS)) {
            w.unlock();
            return false;
        }
        return true;
    }

    /**
     * Go's {@code Unlock}.
     *
     * @throws IllegalStateException if not write-locked ("sync: Unlock of unlocked RWMutex")
     */
    @Override
    public void unlock() {
        // No checkpoint until w.unlock(), which passes one after releasing (see Mutex#unlock).
        // Announce to readers there is no active writer.
        int r;
        for (; ; ) {
            int c = readerCount.get();
            // Precondition: a writer holds the lock (count negative), checked before the change,
            // as rUnlock's.
            if (c >= 0) {
                throw new IllegalStateException("sync: Unlock of unlocked RWMutex");
            }
            if (readerCount.compareAndSet(c, c + MAX_READERS)) {
                r = c + MAX_READERS;
                break;
            }
        }
        // Unblock the readers that arrived while the writer held the lock.
        for (int i = 0; i < r; i++) {
            readerSem.release(false);
        }
        // Allow other writers to proceed.
        w.unlock();
    }

    /**
     * Go's {@code RLocker}: a {@link Locker} whose {@code lock} and {@code unlock} are this
     * mutex's {@link #rLock()} and {@link #rUnlock()}, e.g. for a {@link Cond} waited on by
     * readers.
     */
    public Locker rLocker() {
        return rlocker;
    }
}
