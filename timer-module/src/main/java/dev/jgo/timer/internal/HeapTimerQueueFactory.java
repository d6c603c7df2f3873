package dev.jgo.timer.internal;

import dev.jgo.spi.TimerQueue;
import dev.jgo.spi.TimerQueueFactory;

/** Go's 4-ary heap per P, the default ({@code -Djgo.timers=heap}). */
public final class HeapTimerQueueFactory implements TimerQueueFactory {
    @Override
    public String name() {
        return "heap";
    }

    @Override
    public TimerQueue create(int pid, TimerQueue.Host host) {
        return new HeapTimerQueue(pid, host);
    }

    @Override
    public int priority() {
        return 10;
    }
}
