package dev.jgo;

/**
 * A goroutine as the user sees it. The object is a live view: {@link #state()} and {@link
 * #waitReason()} read the goroutine's current status. A finished goroutine's object may be
 * reused by the runtime for a later goroutine (as Go reuses its {@code g} structures), so hold
 * on to {@link #id()}, not to the object, to identify one.
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
        /** Finished; its object is on a free list. */
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
