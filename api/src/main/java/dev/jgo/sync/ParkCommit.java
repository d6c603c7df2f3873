package dev.jgo.sync;

import dev.jgo.spi.Carrier.ParkUnlock;
import dev.jgo.spi.SpinLock;

/**
 * Port of runtime.parkunlock_c: the unlock function of Go's goparkunlock, shared by every sync
 * type that parks while holding a {@link SpinLock} (channels, semaphores, condition variables).
 *
 * <p>Concurrency: runs on the parking goroutine's M once the goroutine is parked, so a waker that
 * takes the lock afterwards always finds the goroutine parked.
 */
final class ParkCommit {

    /** Releases the {@link SpinLock} passed to park; the park always commits. */
    static final ParkUnlock UNLOCK_SPINLOCK = (g, l) -> {
        ((SpinLock) l).unlock();
        return true;
    };

    private ParkCommit() {}
}
