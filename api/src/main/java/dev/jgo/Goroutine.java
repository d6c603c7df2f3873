package dev.jgo;

/**
 * A goroutine as the user sees it: a handle, returned by {@code go} ({@link Go#go}, {@link
 * GoRuntime#go}), {@link Go#current()} and given to the uncaught-exception handler. It describes
 * one goroutine for good, as Go's goid does: {@link #id()} and {@link #name()} never change,
 * {@link #state()} and {@link #waitReason()} read the goroutine's current status while it
 * lives, and once it has ended its state is {@link State#DEAD} forever, though the runtime reuses
 * its internal structures for later goroutines. Two handles on the same goroutine are {@code
 * equals}.
 */
public interface Goroutine {

    /** Go's goroutine status ({@code _Gidle} ... {@code _Gpreempted}). */
    enum State {
        /** Just allocated, not yet initialised. */
        IDLE,
        /** On a run queue, not executing. */
        RUNNABLE,
        /** Executing goroutine code on an M that holds a P. */
        RUNNING,
        /** Executing a blocking call ({@link Go#blocking}); holds an M but not a P. */
        SYSCALL,
        /** Blocked in the runtime (channel, lock, timer, network). */
        WAITING,
        /** Finished, for good: a handle on it never changes state again. */
        DEAD,
        /** Stopped at a safe point by a suspend request. */
        PREEMPTED
    }

    /** The goroutine id, unique for the runtime's lifetime; 1 is the first goroutine. */
    long id();

    /** A display name, {@code "goroutine <id>"} unless one was given. */
    String name();

    /** The current status. */
    State state();

    /** Why the goroutine waits, {@link WaitReason#ZERO} when it is not waiting. */
    WaitReason waitReason();
}
