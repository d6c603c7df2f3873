package dev.jgo.sync;

/**
 * Go's {@code sync.Locker}: an object that can be locked and unlocked. {@link Mutex} implements
 * it, and so does {@link RWMutex} (its write lock; {@link RWMutex#rLocker()} gives the read lock
 * as a Locker). {@link Cond} waits under one.
 *
 * <pre>{@code
 * Locker l = new Mutex();
 * l.lock();
 * try {
 *     // critical section
 * } finally {
 *     l.unlock();
 * }
 * }</pre>
 */
public interface Locker {
    /** Acquires the lock, parking the calling goroutine while it is held elsewhere. */
    void lock();

    /** Releases the lock. */
    void unlock();
}
