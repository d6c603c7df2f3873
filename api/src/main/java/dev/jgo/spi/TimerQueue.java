package dev.jgo.spi;

import java.time.Duration;

/**
 * The timers of one P (Go 1.14+ keeps timers per P, in {@code p.timers}): a structure ordered by
 * deadline, plus the operations Go's {@code runtime/time.go} performs on it. The core creates one
 * per P through a {@link TimerQueueFactory} and stores it in the P's {@link Carrier#pLocal()}
 * slot {@link Carrier#PLOCAL_TIMER}; {@link dev.jgo.Go#sleep} and {@code dev.jgo.time} find it
 * there with {@link #current(Carrier)}.
 *
 * <p>Times are {@link #nanotime()} values: positive nanoseconds on a monotonic clock; 0 means
 * "no timer". A timer's function runs on the carrier that runs the queue (Go's system stack, not
 * a goroutine): it must be short and must not block or park; it may call {@link
 * Scheduler#ready} and {@link Scheduler#go}.
 *
 * <p>Who calls what (Go's rules):
 *
 * <ul>
 *   <li>{@link #add}: the goroutine running on this queue's P (or the M holding it).
 *   <li>{@link Timer#stop}, {@link Timer#modify}: any goroutine; the timer may sit in another P's
 *       queue.
 *   <li>{@link #checkTimers}: the M holding this queue's P ({@code owner = true}), or a stealer
 *       running an idle or busy P's timers ({@code owner = false}).
 *   <li>{@link #nobarrierWakeTime}, {@link #liveTimers}: any thread, without locks.
 *   <li>{@link #moveTimersTo}: world stopped (procresize).
 * </ul>
 */
public interface TimerQueue {

    /** Deadline used for durations that overflow (Go's {@code maxWhen}). */
    long MAX_WHEN = Long.MAX_VALUE;

    /** The function a timer runs when it fires ({@code timer.f}). */
    @FunctionalInterface
    interface Func {
        /**
         * Runs on the carrier running the queue, with no lock held.
         *
         * @param arg the timer's argument
         * @param seq the timer's {@link Timer#seq()} when the queue decided to fire it (Go's
         *     {@code seq} argument): a stop or modify since then makes it stale
         * @param now the {@link #nanotime()} at which the queue was run
         */
        void fire(Object arg, long seq, long now);
    }

    /** What a queue needs from the scheduler. */
    interface Host {
        /**
         * Port of runtime.wakeNetPoller: a timer at {@code when} was added or moved earlier; wake
         * the M parked until a later time, or start one if none is waiting for timers.
         *
         * <p>Concurrency: any thread.
         */
        void wakeNetPoller(long when);

        /** Whether the runtime is closed: new timers are refused. */
        boolean closed();

        /**
         * The runtime's clock ({@link Scheduler#nanotime()}), which the queue reads when asked to
         * run its timers at "now": the wall clock unless the runtime keeps virtual time.
         *
         * <p>Concurrency: any thread.
         */
        default long nanotime() {
            return TimerQueue.nanotime();
        }
    }

    /** A timer ({@code runtime.timer}), made by {@link #newTimer}. */
    interface Timer {
        /**
         * Port of runtime.deltimer: stops the timer. Returns true if it was pending (this call
         * stopped it), false if it had already run or been stopped.
         *
         * <p>Concurrency: any goroutine.
         */
        boolean stop();

        /**
         * Port of runtime.modtimer (resettimer): re-arms the timer at {@code when} with {@code
         * period} (0 = one-shot). A timer that is in no queue (new, fired or stopped) is added to
         * {@code current}, the caller's P's queue. Returns whether the timer was pending.
         *
         * <p>Concurrency: any goroutine.
         */
        boolean modify(TimerQueue current, long when, long period);

        /**
         * Go 1.23's {@code t.seq}: incremented by every {@link #stop} and {@link #modify} call,
         * whatever it returns, and passed to the function by a firing decided before the call.
         * A firing whose {@code seq} differs from this value is stale.
         *
         * <p>Concurrency: any thread (volatile read).
         */
        long seq();
    }

    /** A new timer, in no queue yet, that runs {@code f.fire(arg, now)}. */
    Timer newTimer(Func f, Object arg);

    /**
     * Port of runtime.addtimer: adds a new (never started) timer to this queue.
     *
     * <p>Concurrency: the goroutine or M holding this queue's P.
     *
     * @throws IllegalStateException if the runtime is closed or the timer was started before
     */
    void add(Timer t, long when, long period);

    /**
     * Port of runtime.nobarrierWakeTime: the earliest time a timer of this queue may need to run,
     * or 0 if there are none. May be earlier than the true next deadline (a deleted or
     * later-modified timer not yet cleaned up), never later.
     *
     * <p>Concurrency: any thread, no lock.
     */
    long nobarrierWakeTime();

    /**
     * Port of runtime.checkTimers: runs every timer due at {@code now} (0: read the clock),
     * adjusting and cleaning the queue as Go's {@code adjusttimers}/{@code runtimer}/{@code
     * clearDeletedTimers} do. Returns the next deadline, or 0 if no timer is left.
     *
     * <p>Concurrency: any thread; {@code owner} says whether it holds this queue's P.
     */
    long checkTimers(long now, boolean owner);

    /**
     * Timers in the queue that are not stopped (Go's {@code numTimers - deletedTimers}): pending
     * timers can still wake a goroutine, so deadlock detection does not fire while any exist.
     *
     * <p>Concurrency: any thread, no lock (a racy sum; exact when no M is running).
     */
    int liveTimers();

    /**
     * Port of runtime.moveTimers: moves every timer of this queue to {@code dst} (same
     * implementation), dropping stopped ones. Used when procresize destroys a P.
     *
     * <p>Concurrency: world stopped.
     */
    void moveTimersTo(TimerQueue dst);

    /** The implementation's short name ({@code heap}, {@code wheel}). */
    String name();

    // ---- helpers shared by Go.sleep and dev.jgo.time ----

    /** Origin of {@link #nanotime()}: readings start at 1 so that 0 can mean "none". */
    long ORIGIN = System.nanoTime() - 1;

    /** Go's {@code nanotime}: monotonic, positive. */
    static long nanotime() {
        return System.nanoTime() - ORIGIN;
    }

    /** Go's {@code when(d)}: now plus {@code d}, saturated at {@link #MAX_WHEN}; d {@code <= 0} is now. */
    static long when(Duration d) {
        return when(nanotime(), d);
    }

    /**
     * {@link #when(Duration)} on a given clock reading (a runtime's {@link Scheduler#nanotime()}):
     * {@code now} plus {@code d}, saturated at {@link #MAX_WHEN}; d {@code <= 0} is {@code now}.
     */
    static long when(long now, Duration d) {
        long ns;
        try {
            ns = d.toNanos();
        } catch (ArithmeticException e) {
            ns = d.isNegative() ? 0 : MAX_WHEN;
        }
        if (ns <= 0) {
            return now;
        }
        long w = now + ns;
        return w < 0 ? MAX_WHEN : w;
    }

    /**
     * The timer queue of the P running the calling goroutine.
     *
     * @throws IllegalStateException if the caller holds no P, or the runtime has no timer module
     */
    static TimerQueue current(Carrier c) {
        Object q = c.pLocal()[Carrier.PLOCAL_TIMER];
        if (q == null) {
            throw new IllegalStateException("no timer module in this runtime: put jgo-timer (dev.jgo.timer, the"
                    + " timer-module) on the class path to use Go.sleep and dev.jgo.time");
        }
        return (TimerQueue) q;
    }
}
