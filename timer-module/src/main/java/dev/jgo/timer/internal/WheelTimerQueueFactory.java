package dev.jgo.timer.internal;

import dev.jgo.spi.TimerQueue;
import dev.jgo.spi.TimerQueueFactory;

/**
 * The hierarchical timing wheel ({@code -Djgo.timers=wheel}); the tick is {@code 2^shift} ns
 * with {@code shift} from {@code -Djgo.timers.wheel.tickShift} (default 20, about 1 ms).
 */
public final class WheelTimerQueueFactory implements TimerQueueFactory {
    private final int tickShift = Integer.getInteger("jgo.timers.wheel.tickShift", WheelTimerQueue.DEFAULT_TICK_SHIFT);

    @Override
    public String name() {
        return "wheel";
    }

    @Override
    public TimerQueue create(int pid, TimerQueue.Host host) {
        return new WheelTimerQueue(pid, host, tickShift);
    }
}
