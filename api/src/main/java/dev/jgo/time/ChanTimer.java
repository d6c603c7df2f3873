package dev.jgo.time;

import dev.jgo.spi.Carrier;
import dev.jgo.spi.Scheduler;
import dev.jgo.spi.TimerQueue;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Mutex;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The channel side shared by {@link Timer} and {@link Ticker}: see "timer channels" in {@link
 * Time}. Also runs {@code afterFunc} functions.
 */
class ChanTimer {
    /** The channel, or null for an afterFunc timer. */
    final Chan<Instant> c;

    final Runnable fn;
    final Scheduler sched;
    final TimerQueue.Timer rt;

    /** Held by the sending goroutine and by stop/reset. */
    private final Mutex sendLock = new Mutex();
    /** Sends started by the timer function and not yet finished. */
    private final AtomicInteger sending = new AtomicInteger();

    ChanTimer(Runnable fn) {
        Carrier cr = Carrier.current();
        TimerQueue q = TimerQueue.current(cr);
        this.fn = fn;
        this.c = fn == null ? Chan.make(1) : null;
        this.sched = cr.scheduler();
        this.rt = q.newTimer(ChanTimer::fire, this);
    }

    /** Adds the timer to the caller's P's queue. Concurrency: the creating goroutine. */
    final void start(long when, long period) {
        TimerQueue.current(Carrier.current()).add(rt, when, period);
    }

    /** The timer function (Go's {@code sendTime} / {@code goFunc}). Concurrency: a carrier, no goroutine. */
    private static void fire(Object arg, long seq, long now) {
        ChanTimer t = (ChanTimer) arg;
        try {
            if (t.fn != null) {
                t.sched.go(t.fn);
                return;
            }
            t.sending.incrementAndGet();
            t.sched.go(() -> t.send(seq));
        } catch (IllegalStateException closed) {
            // the runtime is closing: nobody can receive any more
        }
    }

    private void send(long s) {
        sendLock.lock();
        try {
            if (rt.seq() == s) { // no stop/reset since the firing was decided
                c.trySend(Instant.now()); // a full buffer drops the value (ticker: slow receiver)
            }
            sending.decrementAndGet();
        } finally {
            sendLock.unlock();
        }
    }

    /** Go 1.23's {@code Stop}. Concurrency: any goroutine. */
    final boolean stopTimer() {
        if (c == null) {
            return rt.stop();
        }
        sendLock.lock();
        try {
            boolean pending = rt.stop(); // increments rt.seq(): in-flight sends become stale
            if (sending.get() > 0) {
                pending = true;
            }
            if (c.tryRecv() != null) {
                pending = true;
            }
            return pending;
        } finally {
            sendLock.unlock();
        }
    }

    /** Go 1.23's {@code Reset}. Concurrency: any goroutine. */
    final boolean resetTimer(long when, long period) {
        TimerQueue q = TimerQueue.current(Carrier.current());
        if (c == null) {
            return rt.modify(q, when, period);
        }
        sendLock.lock();
        try {
            boolean pending = sending.get() > 0; // before re-arming: a new firing is not stale
            q = TimerQueue.current(Carrier.current()); // the lock may have parked us
            if (rt.modify(q, when, period)) {
                pending = true;
            }
            if (c.tryRecv() != null) {
                pending = true;
            }
            return pending;
        } finally {
            sendLock.unlock();
        }
    }
}
