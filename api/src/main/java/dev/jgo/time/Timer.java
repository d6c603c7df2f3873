package dev.jgo.time;

import dev.jgo.spi.TimerQueue;
import dev.jgo.sync.Chan;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** Go's {@code time.Timer}, made by {@link Time#newTimer} or {@link Time#afterFunc}. */
public final class Timer {
    private final ChanTimer t;

    Timer(Duration d, Runnable fn) {
        this.t = new ChanTimer(fn);
        t.start(TimerQueue.when(ChanTimer.nanotime(), d), 0);
    }

    /** The channel the time is sent on; null for a timer made by {@link Time#afterFunc}. */
    public Chan<Instant> c() {
        return t.c;
    }

    /**
     * Go's {@code Timer.Stop}: prevents the timer from firing. Returns true if the call stopped
     * it, false if it had already fired (and, for a channel timer, its value was received) or been
     * stopped. After it returns, {@link #c()} yields no value from before the call.
     */
    public boolean stop() {
        return t.stopTimer();
    }

    /**
     * Go's {@code Timer.Reset}: re-arms the timer to fire after {@code d} (at once if {@code d <=
     * 0}), whether or not it fired or was stopped. Returns what {@link #stop()} would have. After
     * it returns, {@link #c()} yields no value from before the call.
     */
    public boolean reset(Duration d) {
        Objects.requireNonNull(d, "duration");
        return t.resetTimer(TimerQueue.when(ChanTimer.nanotime(), d), 0);
    }
}
