package dev.jgo.sync;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Linearizability of {@link Mutex}'s non-parking operations ({@code tryLock}, {@code unlock}, and
 * the lock bit of the state word), model-checked and stress-tested from the same operations. The
 * mutex is not owned, so an unlock from another thread is legal, and an unlock of an unlocked
 * mutex must fail without changing the state. {@code lock} parks a goroutine, which Lincheck's
 * threads are not; {@link SyncTest} and the contention benchmark check it. Iterations scale with
 * {@code jgo.stress}.
 */
@Timeout(120)
public class MutexLincheckTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    private final Mutex mu = new Mutex();

    @Operation
    public boolean tryLock() {
        return mu.tryLock();
    }

    /** False when the mutex was not locked (and then the state must be unchanged). */
    @Operation
    public boolean unlock() {
        try {
            mu.unlock();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    @Operation
    public boolean locked() {
        return (mu.state() & Mutex.LOCKED) != 0;
    }

    @Test
    void modelCheck() {
        new ModelCheckingOptions()
                .iterations(10 * STRESS)
                .invocationsPerIteration(200)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .check(MutexLincheckTest.class);
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(10 * STRESS)
                .invocationsPerIteration(1000)
                .threads(3)
                .actorsPerThread(3)
                .check(MutexLincheckTest.class);
    }
}
