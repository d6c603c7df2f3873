package dev.jgo.timer.internal;

import dev.jgo.spi.TimerQueue;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Go's {@code runtime.timer}: deadline, period, function and the status word of Go's timer state
 * machine ("Timer states" in {@link HeapTimerQueue}). Shared by both structures; the heap uses
 * {@code index}, the wheel {@code prev}/{@code next}/{@code bucket}.
 *
 * <h2>Who touches what</h2>
 *
 * <ul>
 *   <li>{@code status}: CAS by any thread; the owner of a transient state ({@code MODIFYING},
 *       {@code MOVING}, {@code RUNNING}, {@code REMOVING}) has the timer's fields to itself.
 *   <li>{@code when}, {@code period}, {@code nextwhen}: written by the status owner; the CAS that
 *       ends the transient state publishes them (release), the CAS that starts the next one
 *       acquires them.
 *   <li>{@code pp}: written under the owning queue's lock (or with the status owned), read
 *       racily by stop/modify, which re-check it after taking the lock or the status.
 *   <li>{@code index}, {@code prev}, {@code next}, {@code bucket}: the owning queue's lock.
 * </ul>
 */
final class RTimer implements TimerQueue.Timer {
    // ---- Go's timer states (runtime/time.go, Go 1.14 - 1.22) ----
    /** Not in any queue. */
    static final int NO_STATUS = 0;
    /** In a queue, waiting to fire. */
    static final int WAITING = 1;
    /** Its function is being run (only for an instant: the status changes before the call). */
    static final int RUNNING = 2;
    /** Stopped, still in its queue until the queue cleans it up. */
    static final int DELETED = 3;
    /** A deleted timer being taken out of its queue. */
    static final int REMOVING = 4;
    /** Taken out of its queue after a stop. */
    static final int REMOVED = 5;
    /** Being changed by stop or modify. */
    static final int MODIFYING = 6;
    /** Modified to an earlier time, still at its old heap position; {@code nextwhen} holds it. */
    static final int MODIFIED_EARLIER = 7;
    /** Modified to a later (or equal) time, still at its old heap position. */
    static final int MODIFIED_LATER = 8;
    /** Being moved to its new position or to another queue. */
    static final int MOVING = 9;

    private static final VarHandle STATUS;
    private static final VarHandle SEQ;

    static {
        try {
            STATUS = MethodHandles.lookup().findVarHandle(RTimer.class, "status", int.class);
            SEQ = MethodHandles.lookup().findVarHandle(RTimer.class, "seq", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static String statusName(int s) {
        return switch (s) {
            case NO_STATUS -> "NO_STATUS";
            case WAITING -> "WAITING";
            case RUNNING -> "RUNNING";
            case DELETED -> "DELETED";
            case REMOVING -> "REMOVING";
            case REMOVED -> "REMOVED";
            case MODIFYING -> "MODIFYING";
            case MODIFIED_EARLIER -> "MODIFIED_EARLIER";
            case MODIFIED_LATER -> "MODIFIED_LATER";
            case MOVING -> "MOVING";
            default -> "unknown(" + s + ")";
        };
    }

    final TimerQueue.Func f;
    final Object arg;
    /** Which structure's protocol this timer follows. */
    final boolean heap;

    @SuppressWarnings("unused")
    private volatile int status;

    /** Stop/modify count (Go 1.23's {@code t.seq}); see TimerQueue.Timer#seq. */
    @SuppressWarnings("unused")
    private volatile long seq;

    long when;
    long period;
    long nextwhen;

    /** The queue holding the timer, or null (Go's {@code t.pp}). */
    volatile AbstractTimerQueue pp;

    // heap: position in the heap array
    int index = -1;
    // wheel: bucket links
    RTimer prev;
    RTimer next;
    int bucket = -1;

    RTimer(TimerQueue.Func f, Object arg, boolean heap) {
        this.f = f;
        this.arg = arg;
        this.heap = heap;
    }

    @Override
    public long seq() {
        return (long) SEQ.getVolatile(this);
    }

    /**
     * Counts one stop or modify. Called while owning MODIFYING (heap), under the queue lock
     * (wheel), or after any firing decision has released the timer (NO_STATUS): a firing decided
     * earlier read the old value. Volatile atomic increment.
     */
    void bumpSeq() {
        SEQ.getAndAdd(this, 1L);
    }

    /** Volatile read of the status word (acquire: pairs with the CAS that set it). */
    int status() {
        return (int) STATUS.getVolatile(this);
    }

    /** Volatile CAS of the status word. */
    boolean casStatus(int from, int to) {
        return STATUS.compareAndSet(this, from, to);
    }

    /** CAS that must succeed: the caller owns the transient state {@code from}. */
    void mustCas(int from, int to) {
        if (!STATUS.compareAndSet(this, from, to)) {
            throw badTimer("expected " + statusName(from) + " -> " + statusName(to));
        }
    }

    IllegalStateException badTimer(String what) {
        return new IllegalStateException("timer data corruption: " + what + ", status " + statusName(status()));
    }

    @Override
    public boolean stop() {
        return heap ? HeapTimerQueue.deltimer(this) : WheelTimerQueue.stop(this);
    }

    @Override
    public boolean modify(TimerQueue current, long when, long period) {
        if (period < 0) {
            throw new IllegalArgumentException("negative period " + period);
        }
        if (when <= 0) {
            when = ((AbstractTimerQueue) current).host.nanotime(); // the runtime's clock
        }
        return heap
                ? HeapTimerQueue.modtimer(this, (HeapTimerQueue) current, when, period)
                : WheelTimerQueue.modify(this, (WheelTimerQueue) current, when, period);
    }

    @Override
    public String toString() {
        return "timer[when=" + when + ", period=" + period + ", " + statusName(status()) + "]";
    }
}
