package dev.jgo.assembly.internal;

import dev.jgo.spi.StealPolicy;
import java.util.concurrent.atomic.LongAdder;

/**
 * A steal policy that decides as another one does and counts its victim choices: the {@code osgi}
 * demo registers it to show a policy service swapped into a running runtime.
 */
final class CountingStealPolicy implements StealPolicy {
    private final StealPolicy delegate;
    private final LongAdder choices = new LongAdder();

    CountingStealPolicy(StealPolicy delegate) {
        this.delegate = delegate;
    }

    long choices() {
        return choices.sum();
    }

    @Override
    public String name() {
        return "counting-" + delegate.name();
    }

    @Override
    public int rounds() {
        return delegate.rounds();
    }

    @Override
    public int firstVictim(int thief, int nprocs, int random) {
        choices.increment();
        return delegate.firstVictim(thief, nprocs, random);
    }

    @Override
    public int stride(int nprocs, int random) {
        return delegate.stride(nprocs, random);
    }

    @Override
    public boolean mayStealRunnext(int round, int rounds) {
        return delegate.mayStealRunnext(round, rounds);
    }

    @Override
    public long runnextBackoffNanos() {
        return delegate.runnextBackoffNanos();
    }

    @Override
    public long runnextMinAgeNanos() {
        return delegate.runnextMinAgeNanos();
    }
}
