package dev.jgo.time;

import dev.jgo.spi.Carrier;
import dev.jgo.spi.Scheduler;
import dev.jgo.spi.TimerQueue;
import dev.jgo.sync.Chan;
import java.lang.ref.WeakReference;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The channel side shared by {@link Timer} and {@link Ticker}: see "timer channels" in {@link
 * Time}. Also runs {@code afterFunc} functions.
 */
class ChanTimer {
    /** The channel, or null for an afterFunc timer. Held strongly only from the user's side. */
    final Chan<Instant> c;

    final TimerQueue.Timer rt;

    /** The queue's side of a channel timer: all a firing needs, with the channel held weakly. */
    static final class Sender {
        final WeakReference<Chan<Instant>> c;

        /** Firings between their seq check and the end of their send (Go's {@code isSending}). */
        final AtomicInteger sending = new AtomicInteger();

        /** Set once, before the timer is added (the queue's add publishes it). */
        TimerQueue.Timer rt;

        Sender(Chan<Instant> c) {
            this.c = new WeakReference<>(c);
        }
    }

    /** The queue's side of an afterFunc timer. */
    record Func(Runnable fn, Scheduler sched) {}

    private final Sender sender;

    ChanTimer(Runnable fn) {
        Carrier cr = Carrier.current();
        TimerQueue q = TimerQueue.current(cr);
        if (fn == null) {
            this.c = Chan.make(1);
            this.sender = new Sender(c);
            this.rt = q.newTimer(ChanTimer::fire, sender);
            sender.rt = rt;
        } else {
            this.c = null;
            this.sender = null;
            this.rt = q.newTimer(ChanTimer::fire, new Func(fn, cr.scheduler()));
        }
    }

    /** Adds the timer to the caller's P's queue. Concurrency: the creating goroutine. */
    final void start(long when, long period) {
        TimerQueue.current(Carrier.current()).add(rt, when, period);
    }

    /**
     * The timer function (Go's {@code sendTime} / {@code goFunc}): a channel timer sends from
     * here, without a goroutine (note steps 1-2).
     *
     * <p>Concurrency: a carrier running a timer queue, outside any goroutine; never parks.
     */
    private static void fire(Object arg, long seq, long now) {
        if (arg instanceof Func f) {
            try {
                f.sched().go(f.fn());
            } catch (IllegalStateException closed) {
                // the runtime is closing: nobody can run it any more
            }
            return;
        }
        Sender s = (Sender) arg;
        s.sending.incrementAndGet(); // volatile: StoreLoad with stop's seq bump (note step 3)
        try {
            if (s.rt.seq() != seq) {
                return; // stopped or reset since the firing was decided
            }
            Chan<Instant> ch = s.c.get();
            if (ch == null) {
                s.rt.stop(); // nobody can receive: a ticker ends here (note step 5)
                return;
            }
            ch.trySend(Instant.now()); // a full buffer drops the value (ticker: slow receiver)
        } finally {
            s.sending.decrementAndGet();
        }
    }

    /**
     * Waits for firings that passed their seq check before a stop or reset bumped it (a few
     * instructions on a carrier that never parks); returns whether there were any.
     *
     * <p>Concurrency: any goroutine, after bumping the timer's seq.
     */
    private boolean awaitSends() {
        boolean any = false;
        while (sender.sending.get() > 0) { // volatile: see fire
            any = true;
            Thread.onSpinWait();
        }
        return any;
    }

    /** Go 1.23's {@code Stop}. Concurrency: any goroutine. */
    final boolean stopTimer() {
        if (c == null) {
            return rt.stop();
        }
        boolean pending = rt.stop(); // bumps seq: firings not yet past their check are void
        if (awaitSends()) {
            pending = true; // a firing was under way: its value is discarded below
        }
        if (c.tryRecv() != null) {
            pending = true; // a fired value nobody received: it counts as stopped
        }
        // Invariant: no value from before this call is in c, and none can arrive.
        return pending;
    }

    /** Go 1.23's {@code Reset}. Concurrency: any goroutine. */
    final boolean resetTimer(long when, long period) {
        if (c == null) {
            return rt.modify(TimerQueue.current(Carrier.current()), when, period);
        }
        boolean pending = stopTimer(); // first void every earlier firing (note step 4)
        TimerQueue q = TimerQueue.current(Carrier.current()); // tryRecv may have moved us
        rt.modify(q, when, period); // was stopped: never pending
        return pending;
    }
}
