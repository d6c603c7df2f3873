package dev.jgo.context;

import dev.jgo.spi.Carrier;
import dev.jgo.spi.TimerQueue;
import dev.jgo.time.Time;
import dev.jgo.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Go's {@code timerCtx}: a {@link CancelCtx} with a deadline, enforced by a runtime timer
 * ({@link Time#afterFunc}) that cancels it with {@link Context#DEADLINE_EXCEEDED}. The timer is
 * stopped when the context is cancelled, so a cancelled context holds no timer.
 */
final class TimerCtx extends CancelCtx {
    private final Instant deadline;

    /** The deadline's timer; null before it is armed and after cancel. Guarded by lock. */
    private Timer timer;

    private TimerCtx(Context parent, Instant deadline) {
        super(parent);
        this.deadline = deadline;
    }

    /**
     * Port of context.WithDeadlineCause.
     *
     * <p>Concurrency: a goroutine of a runtime with the timer module.
     *
     * @throws IllegalStateException outside a goroutine, or without the timer module
     */
    static CancelContext withDeadline(Context parent, Instant d) {
        // Fail before any side effect: outside a goroutine, or without the timer module, no
        // timer can be armed, and the child must not be left attached to its parent.
        TimerQueue.current(Carrier.current());
        Optional<Instant> cur = parent.deadline();
        if (cur.isPresent() && cur.get().isBefore(d)) {
            // The current deadline is already sooner than the new one.
            return Context.withCancel(parent);
        }
        TimerCtx c = new TimerCtx(parent, d);
        propagateCancel(parent, c);
        Duration dur = Duration.between(Time.now(), d);
        if (dur.isNegative() || dur.isZero()) {
            c.cancel(true, Context.DEADLINE_EXCEEDED, null); // deadline already passed
            return c;
        }
        Timer t = Time.afterFunc(dur, () -> c.cancel(true, Context.DEADLINE_EXCEEDED, null));
        boolean stop;
        c.lock.lock();
        try {
            stop = c.err() != null;
            if (!stop) {
                c.timer = t;
            }
        } finally {
            c.lock.unlock();
        }
        if (stop) {
            t.stop(); // cancelled while arming (by its parent)
        }
        return c;
    }

    @Override
    void canceled() {
        Timer t;
        lock.lock();
        try {
            t = timer;
            timer = null;
        } finally {
            lock.unlock();
        }
        if (t != null) {
            t.stop();
        }
    }

    @Override
    public Optional<Instant> deadline() {
        return Optional.of(deadline);
    }

    @Override
    public String toString() {
        return parent + ".WithDeadline(" + deadline + " [" + Duration.between(Time.now(), deadline) + "])";
    }
}
