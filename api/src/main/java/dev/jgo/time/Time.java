package dev.jgo.time;

import dev.jgo.sync.Chan;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Go's {@code time.After}, {@code NewTimer}, {@code AfterFunc} and {@code NewTicker}. Every
 * method must be called from a goroutine of a runtime that has the timer module.
 *
 * <h2>Design note: timer channels</h2>
 *
 * Go 1.23 made timer channels synchronous: a value is produced only when a receiver takes it, so
 * {@code Stop} and {@code Reset} never leave a stale value behind. jgo keeps Go's older
 * representation, a channel with a one-slot buffer filled by a non-blocking send when the timer
 * fires, and gets the 1.23 guarantee the way Go 1.23's runtime does for its buffered form:
 *
 * <ol>
 *   <li>A timer's function runs on a carrier outside any goroutine, where channels cannot be
 *       used; it increments {@code sending} and starts a goroutine that sends the current time,
 *       carrying the runtime timer's sequence number read when the firing was decided (Go's
 *       {@code seq} argument; see {@code TimerQueue.Timer#seq}).
 *   <li>That goroutine takes the timer's send lock and sends (dropping the value if the buffer
 *       is full: a ticker drops ticks for slow receivers) only if the sequence number is
 *       unchanged, then decrements {@code sending}.
 *   <li>{@code stop}/{@code reset} take the same lock and stop or re-arm the runtime timer,
 *       which increments its sequence number (so a send in flight is dropped), then drain the
 *       buffer. They
 *       report the timer as pending if the runtime timer was pending, a send was in flight, or
 *       a value was drained: as in Go 1.23, a fired timer whose value nobody received counts as
 *       stopped.
 * </ol>
 *
 * So after {@code stop} or {@code reset} returns, a receive yields only a value from a later
 * firing. Values are {@link Instant}s read when the sending goroutine runs.
 */
public final class Time {
    private Time() {}

    /** Go's {@code time.After(d)}: a channel that receives the time once {@code d} has passed. */
    public static Chan<Instant> after(Duration d) {
        return newTimer(d).c();
    }

    /**
     * Go's {@code time.NewTimer(d)}: a timer that sends the time on {@link Timer#c()} after
     * {@code d} (at once if {@code d <= 0}).
     */
    public static Timer newTimer(Duration d) {
        Objects.requireNonNull(d, "duration");
        return new Timer(d, null);
    }

    /**
     * Go's {@code time.AfterFunc(d, f)}: runs {@code f} in its own goroutine after {@code d}. The
     * timer's {@link Timer#c()} is null.
     */
    public static Timer afterFunc(Duration d, Runnable f) {
        Objects.requireNonNull(d, "duration");
        Objects.requireNonNull(f, "f");
        return new Timer(d, f);
    }

    /**
     * Go's {@code time.NewTicker(d)}: sends the time every {@code d}, dropping ticks a slow
     * receiver has not taken.
     *
     * @throws IllegalArgumentException if {@code d} is not positive
     */
    public static Ticker newTicker(Duration d) {
        Objects.requireNonNull(d, "duration");
        return new Ticker(Ticker.period(d, "newTicker"));
    }
}
