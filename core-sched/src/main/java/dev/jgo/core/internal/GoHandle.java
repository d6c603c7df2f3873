package dev.jgo.core.internal;

import dev.jgo.Goroutine;
import dev.jgo.WaitReason;

/**
 * The {@link Goroutine} users hold: what {@code go} returns, {@code Go.current()} and the
 * uncaught-exception handler's argument. A G is reused for later goroutines once its goroutine
 * exits (Go's free lists), so it cannot be the user's object.
 *
 * <h2>Design note: stable handles</h2>
 *
 * <p>Problem: a user keeps the object {@code go} returned and asks it later for its id, name or
 * state; by then the G may run another goroutine. Go's users hold a goid, which never changes.
 *
 * <p>Rejected: a handle allocated for every G incarnation and cleared at goexit (a store on every
 * exit, and a reader could still see the next incarnation between its checks); keeping Gs from
 * reuse while a handle is reachable (defeats the free lists).
 *
 * <p>Chosen: an immutable (G, goid) pair, made by whoever asks for a handle while the goroutine
 * is known to live ({@code go} before it queues the new G, the running goroutine itself, goexit0
 * before the G is freed). A query reads the G's status (volatile), then its goid: newproc1 writes
 * the goid of a reuse before the CAS that moves the G off DEAD, so a status of the next
 * incarnation comes with its goid, and a goid that still matches means the status read is this
 * goroutine's. A mismatch means this goroutine has ended: DEAD for good. The cost on a spawn is
 * one small allocation.
 *
 * <p>Concurrency: any thread; immutable.
 */
final class GoHandle implements Goroutine {

    private final G g;
    private final long id;

    /**
     * Precondition: {@code g} runs this goroutine now and cannot be freed meanwhile (its creator
     * before queueing it, the goroutine itself, or goexit0 before gfput).
     */
    GoHandle(G g) {
        this.g = g;
        this.id = g.goid;
    }

    /**
     * The G while it still runs this goroutine.
     *
     * @throws IllegalStateException if the goroutine has ended
     */
    G live() {
        if (g.goid != id) {
            throw new IllegalStateException("goroutine " + id + " has exited");
        }
        return g;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String name() {
        return "goroutine " + id;
    }

    @Override
    public State state() {
        int s = g.readgstatus(); // volatile read: see "stable handles" for why before the goid
        return g.goid == id ? G.state(s) : State.DEAD;
    }

    /** Racy as {@link G#waitReason()}: a diagnostic. */
    @Override
    public WaitReason waitReason() {
        int s = g.readgstatus(); // volatile read, as state()
        WaitReason r = g.waitreason;
        return s == G.WAITING && g.goid == id ? r : WaitReason.ZERO;
    }

    /** Handles are equal when they name the same goroutine (the same runtime and goid). */
    @Override
    public boolean equals(Object o) {
        return o instanceof GoHandle h && h.id == id && h.g.sched == g.sched;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return "goroutine " + id + " [" + state() + "]";
    }
}
