package dev.jgo.time;

import dev.jgo.spi.TimerQueue;
import dev.jgo.sync.Chan;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Go's {@code time.Ticker}, made by {@link Time#newTicker}: sends the time on {@link #c()} every
 * period. The channel holds one tick; ticks a slow receiver has not taken are dropped, and the
 * schedule skips periods that passed while a carrier was late, as Go's does.
 */
public final class Ticker {
    private final ChanTimer t;

    Ticker(long period) {
        this.t = new ChanTimer(null);
        t.start(deadline(period), period);
    }

    static long period(Duration d, String what) {
        Objects.requireNonNull(d, "duration");
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("non-positive interval for " + what + ": " + d);
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // saturate: the deadline below saturates too
        }
    }

    /** Now plus {@code period}, saturated at {@code MAX_WHEN} instead of wrapping negative. */
    static long deadline(long period) {
        long when = ChanTimer.nanotime() + period;
        return when < 0 ? TimerQueue.MAX_WHEN : when; // both terms positive: a wrap is negative
    }

    /** The channel ticks are sent on. */
    public Chan<Instant> c() {
        return t.c;
    }

    /** Go's {@code Ticker.Stop}: no more ticks are sent; a tick not yet received is discarded. */
    public void stop() {
        t.stopTimer();
    }

    /**
     * Go's {@code Ticker.Reset}: stops the ticker and restarts it with period {@code d}; the next
     * tick comes after {@code d}.
     *
     * @throws IllegalArgumentException if {@code d} is not positive
     */
    public void reset(Duration d) {
        long p = period(d, "Ticker.reset");
        t.resetTimer(deadline(p), p);
    }
}
