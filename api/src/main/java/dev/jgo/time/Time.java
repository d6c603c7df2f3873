package dev.jgo.time;

import dev.jgo.spi.Carrier;
import dev.jgo.sync.Chan;
import dev.jgo.sync.RecvChan;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Go's {@code time.After}, {@code NewTimer}, {@code AfterFunc} and {@code NewTicker}. Every
 * method must be called from a goroutine of a runtime that has the timer module.
 *
 * <h2>Design note: timer channels</h2>
 *
 * <p>Go 1.23 made timer channels synchronous: a value is produced only when a receiver takes it, so
 * {@code Stop} and {@code Reset} never leave a stale value behind, and a timer nobody references
 * is garbage even if never stopped. jgo keeps Go's older representation, a channel with a
 * one-slot buffer filled by a non-blocking send when the timer fires, and gets the 1.23
 * guarantees the way Go 1.23's runtime does for its buffered form.
 *
 * <p>Rejected: a goroutine per firing that sends (what jgo did before): a 1 ns ticker then
 * floods the runtime with goroutines and {@code stop} starves behind them; a lock shared by the
 * firing and {@code stop} (Go's {@code sendLock}): {@code stop} would hold it across a channel
 * operation, which is a preemption point, while a carrier spins on it.
 *
 * <ol>
 *   <li>A timer's function runs on a carrier outside any goroutine, where a channel's
 *       non-blocking operations work (see {@code Chan}, "Non-blocking operations from any
 *       thread"). It receives the runtime timer's sequence number read when the firing was
 *       decided (Go's {@code seq} argument; see {@code TimerQueue.Timer#seq}).
 *   <li>It increments {@code sending}, re-reads the sequence number and, if unchanged, sends the
 *       current time with {@code trySend} (dropping the value if the buffer is full: a ticker
 *       drops ticks for slow receivers), then decrements {@code sending}. No goroutine is
 *       started.
 *   <li>{@code stop} stops the runtime timer, which increments its sequence number, then waits
 *       while {@code sending > 0}, then drains the buffer. Both sides store then load volatile
 *       variables (Dekker): either the firing sees the new number and does not send, or {@code
 *       stop} sees it sending and waits for its value to land before draining. It reports the
 *       timer as pending if the runtime timer was pending, a firing under way was voided (it did
 *       not record a send under the old number in {@code sentSeq}), or a value was
 *       drained: as in Go 1.23, a fired timer whose value nobody received counts as stopped.
 *   <li>{@code reset} re-arms the runtime timer in place (bumping its sequence number), waits
 *       out sends under way and drains, as {@code stop}. A firing of the new arming may come
 *       before the drain ends: {@code reset} sets {@code resetting} first, and a firing that
 *       sees it leaves its value in {@code deferred} instead of sending; once the drain is over
 *       {@code reset} clears the flag, waits for firings that saw it (Dekker again, on {@code
 *       resetting} and {@code sending}) and sends the deferred value. So the new arming's value
 *       is kept, and the old ones are not.
 *   <li>The timer queue holds only the firing's side ({@code ChanTimer.Sender}), which refers to
 *       the channel weakly; the {@link Timer}, {@link Ticker} and channel are held only by the
 *       user. Once none is reachable the channel is collected and its weak reference queued; the
 *       next timer created stops the runtime timers of queued references ({@code expunge}, as
 *       {@code WeakHashMap} does, with no thread of its own), and a firing that finds its channel
 *       gone stops its timer too. What stays in the queue until one of these happens is the
 *       runtime timer and its small sender, not the user's objects.
 * </ol>
 *
 * <p>So after {@code stop} or {@code reset} returns, a receive yields only a value from a later
 * firing. Values are {@link Instant}s read when the timer fires. Durations saturate: a deadline
 * past the clock's range is {@code TimerQueue.MAX_WHEN} (never), not a wrapped negative time.
 */
public final class Time {
    private Time() {}

    /**
     * Go's {@code time.Now()}: the runtime's clock. Under virtual time ({@code
     * GoRuntime.Builder.virtualTime(true)}) it starts at {@code 2000-01-01T00:00:00Z} and moves
     * only when every goroutine is durably blocked; otherwise, and outside any goroutine, it is
     * the wall clock ({@link Instant#now()}).
     */
    public static Instant now() {
        Carrier c = Carrier.currentOrNull();
        return c != null ? c.scheduler().now() : Instant.now();
    }

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
     * Go's {@code time.Tick(d)}: the channel of a ticker that is never stopped, or null when
     * {@code d <= 0} (Go returns nil). Once nothing references the channel, the ticker is garbage
     * and leaves its timer queue (see "timer channels").
     *
     * <pre>{@code
     * for (Instant t : Time.tick(Duration.ofSeconds(1))) {
     *     status(t);
     * }
     * }</pre>
     */
    public static RecvChan<Instant> tick(Duration d) {
        Objects.requireNonNull(d, "duration");
        if (d.isZero() || d.isNegative()) {
            return null;
        }
        return newTicker(d).c();
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
