package dev.jgo.timer.internal;

import dev.jgo.spi.SpinLock;
import dev.jgo.spi.TimerQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What both timer structures share: the queue lock (Go's {@code pp.timersLock}), the counters read
 * without it, and the host callback.
 *
 * <p>Lock order: a queue lock is a leaf. Timer functions run with no queue lock held. Go's
 * {@code timersLock} is never held across a park, and neither is this one: stop and modify
 * take it only for a few instructions.
 */
abstract class AbstractTimerQueue implements TimerQueue {
    final int pid;
    final Host host;
    final SpinLock lock = new SpinLock(); // not owner-checked: see SpinLock

    /** Timers in the structure, deleted ones included (Go's {@code numTimers}). */
    final AtomicInteger numTimers = new AtomicInteger();
    /** Deleted timers not yet taken out (Go's {@code deletedTimers}). */
    final AtomicInteger deletedTimers = new AtomicInteger();

    AbstractTimerQueue(int pid, Host host) {
        this.pid = pid;
        this.host = host;
    }

    void checkOpen() {
        if (host.closed()) {
            throw new IllegalStateException("runtime is closed: cannot start a timer");
        }
    }

    @Override
    public int liveTimers() {
        return Math.max(0, numTimers.get() - deletedTimers.get());
    }

    @Override
    public String toString() {
        return name() + "TimerQueue[P" + pid + ", timers=" + numTimers.get() + ", deleted=" + deletedTimers.get() + "]";
    }
}
