package dev.jgo.time;

import dev.jgo.spi.Carrier;
import dev.jgo.spi.Scheduler;
import dev.jgo.spi.TimerQueue;
import dev.jgo.sync.Chan;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The channel side shared by {@link Timer} and {@link Ticker}: see "timer channels" in {@link
 * Time}. Also runs {@code afterFunc} functions.
 */
class ChanTimer {
    /** The channel, or null for an afterFunc timer. Held strongly only from the user's side. */
    final Chan<Instant> c;

    final TimerQueue.Timer rt;

    /** Channels of channel timers that became garbage; see {@link #expunge()}. */
    private static final ReferenceQueue<Chan<Instant>> GONE = new ReferenceQueue<>();

    /** The weak reference from a sender to its channel, queued on {@link #GONE} once cleared. */
    static final class ChanRef extends WeakReference<Chan<Instant>> {
        final Sender s;

        ChanRef(Chan<Instant> c, Sender s) {
            super(c, GONE);
            this.s = s;
        }
    }

    /** The queue's side of a channel timer: all a firing needs, with the channel held weakly. */
    static final class Sender {
        final ChanRef c;

        /** Firings between their seq check and the end of their send (Go's {@code isSending}). */
        final AtomicInteger sending = new AtomicInteger();

        /**
         * Whether a reset is between re-arming and draining: a firing then leaves its value in
         * {@link #deferred} for the reset to send after draining. Volatile.
         */
        volatile boolean resetting;

        /**
         * A value a firing left during a reset, with the seq of its firing (note step 4); taken
         * by that reset, which sends it only if the seq is the new arming's.
         */
        final AtomicReference<Deferred> deferred = new AtomicReference<>();

        /** The seq of the last firing that put a value in the channel. Volatile. */
        volatile long sentSeq = -1;

        /** Set once, before the timer is added (the queue's add publishes it). */
        TimerQueue.Timer rt;

        /** The runtime whose clock stamps the values sent ({@link Scheduler#now()}). */
        final Scheduler sched;

        Sender(Chan<Instant> c, Scheduler sched) {
            this.c = new ChanRef(c, this);
            this.sched = sched;
        }
    }

    /** A value left by a firing during a reset. */
    record Deferred(long seq, Instant value) {}

    /** The queue's side of an afterFunc timer. */
    record Func(Runnable fn, Scheduler sched) {}

    private final Sender sender;

    ChanTimer(Runnable fn) {
        expunge();
        Carrier cr = Carrier.current();
        TimerQueue q = TimerQueue.current(cr);
        if (fn == null) {
            this.c = Chan.make(1);
            this.sender = new Sender(c, cr.scheduler());
            this.rt = q.newTimer(ChanTimer::fire, sender);
            sender.rt = rt;
        } else {
            this.c = null;
            this.sender = null;
            this.rt = q.newTimer(ChanTimer::fire, new Func(fn, cr.scheduler()));
        }
    }

    /**
     * Stops the runtime timers whose channels were collected (note step 5), as {@code
     * WeakHashMap} expunges its stale entries: on the next timer created, with no thread of its
     * own. A reference whose sender left the queue first is collected with it and never queued.
     *
     * <p>Concurrency: any goroutine.
     */
    static void expunge() {
        for (Reference<? extends Chan<Instant>> r; (r = GONE.poll()) != null; ) {
            TimerQueue.Timer t = ((ChanRef) r).s.rt;
            if (t != null) {
                t.stop();
            }
        }
    }

    /**
     * The calling goroutine's runtime clock ({@link Scheduler#nanotime()}), which timer deadlines
     * are measured on.
     *
     * @throws IllegalStateException outside a goroutine
     */
    static long nanotime() {
        return Carrier.current().scheduler().nanotime();
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
            if (s.resetting) { // volatile read after the sending increment (note step 4)
                // A reset is draining: it sends this afterwards if seq is its new arming's (a
                // firing of the old arming that passed its check before the bump is dropped).
                s.deferred.set(new Deferred(seq, s.sched.now()));
            } else if (ch.trySend(s.sched.now())) { // a full buffer drops it (ticker: slow receiver)
                s.sentSeq = seq; // volatile, before the sending decrement that stop waits for
            }
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
        long before = rt.seq();
        boolean pending = rt.stop(); // bumps seq: firings not yet past their check are void
        if (awaitSends() && sender.sentSeq != before) {
            pending = true; // a firing under way was voided: it counts as stopped (Go's isSending)
        }
        if (c.tryRecv() != null) {
            pending = true; // a fired value nobody received: it counts as stopped
        }
        // Invariant: no value from before this call is in c, and none can arrive.
        return pending;
    }

    /**
     * Go 1.23's {@code Reset}: re-arms the timer in place (it stays in its queue), then voids and
     * drains earlier values. A firing of the new arming during the drain leaves its value in
     * {@code deferred}, sent once the drain is over (note step 4).
     *
     * <p>Concurrency: any goroutine; resets of one timer must not run concurrently (as in Go).
     */
    final boolean resetTimer(long when, long period) {
        if (c == null) {
            return rt.modify(TimerQueue.current(Carrier.current()), when, period);
        }
        sender.resetting = true; // volatile: before the seq bump, seen by every new firing
        boolean pending;
        try {
            long before = rt.seq();
            pending = rt.modify(TimerQueue.current(Carrier.current()), when, period); // bumps seq
            if (awaitSends() && sender.sentSeq != before) {
                pending = true; // a firing under way was voided: it counts as stopped
            }
            if (c.tryRecv() != null) {
                pending = true; // a fired value nobody received: it counts as stopped
            }
        } finally {
            sender.resetting = false; // volatile: StoreLoad with the sending read below
        }
        awaitSends(); // firings that saw resetting have left their value
        Deferred d = sender.deferred.getAndSet(null);
        if (d != null && d.seq() == rt.seq()) {
            c.trySend(d.value()); // from the new arming: kept
        }
        // Invariant: no value from before this call is in c, and none can arrive.
        return pending;
    }
}
