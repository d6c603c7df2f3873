package dev.jgo;

import dev.jgo.spi.Carrier;
import dev.jgo.spi.Scheduler;
import dev.jgo.spi.TimerQueue;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * What a goroutine calls on itself. Every method must be called from a goroutine and throws
 * {@link IllegalStateException} otherwise.
 *
 * <p>A JDK virtual thread made by {@link GoRuntime#virtualThreadBuilder()} counts as a goroutine
 * of its runtime here: {@link #inGoroutine()} is true; {@link #id()} and {@link #current()} give
 * the id of the goroutine that stands for it (the id in dumps), not {@link Thread#threadId()};
 * {@link #go} starts a goroutine of that runtime; {@link #yield()} is {@link Thread#yield()};
 * {@link #sleep} parks the thread on the runtime's timers; {@link #blocking} and {@link
 * #blockingLong} just run the call (a blocking JDK call parks a virtual thread by itself); {@link
 * #checkpoint()} returns at once unless the thread was asked to yield; {@link #lockOSThread()} and
 * {@link #unlockOSThread()} throw {@link UnsupportedOperationException}. Channels, select, the
 * sync types and timers park the virtual thread, not its carrier.
 *
 * <p>Thread interrupts mean nothing to a goroutine (Go has none): no method here is interrupted,
 * and a flag a goroutine sets with {@code Thread.currentThread().interrupt()} is cleared when it
 * leaves its carrier (parks, yields or ends). See {@link Carrier} "Interrupts".
 */
public final class Go {
    private Go() {}

    /**
     * The go statement: starts {@code fn} as a new goroutine of the caller's runtime and returns a
     * handle on it (see {@link Goroutine}).
     */
    public static Goroutine go(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        return Carrier.current().go(fn);
    }

    /** {@code runtime.Gosched}: lets other goroutines run; this one resumes later. */
    public static void yield() {
        Carrier.current().gosched();
    }

    /**
     * Port of {@code time.Sleep} ({@code runtime.timeSleep}): parks the goroutine for at least
     * {@code d}; zero or negative returns at once. The timer is added to the P's queue by the
     * park's unlock function, once the goroutine is waiting, so its firing can only ready a parked
     * goroutine.
     *
     * @throws IllegalStateException outside a goroutine, or if the runtime has no timer module
     */
    public static void sleep(Duration d) {
        Objects.requireNonNull(d, "duration");
        Carrier cr = Carrier.current();
        if (d.isZero() || d.isNegative()) {
            cr.operationCheckpoint();
            return;
        }
        TimerQueue q = TimerQueue.current(cr);
        Scheduler s = cr.scheduler();
        long when = TimerQueue.when(s.nanotime(), d); // the runtime's clock: virtual under virtualTime
        TimerQueue.Timer t = q.newTimer((g, seq, now) -> s.ready((Goroutine) g), cr.currentGoroutine());
        IllegalStateException[] refused = new IllegalStateException[1];
        cr.park(WaitReason.SLEEP, t, (g, lock) -> {
            try {
                q.add((TimerQueue.Timer) lock, when, 0);
                return true;
            } catch (IllegalStateException e) { // runtime closing, timer module gone: resume rather than hang
                refused[0] = e;
                return false;
            }
        });
        if (refused[0] != null) {
            throw new IllegalStateException("cannot sleep: " + refused[0].getMessage(), refused[0]);
        }
    }

    /**
     * Port of synctest.Wait: returns once every other goroutine of the runtime is durably blocked
     * (on channels, {@code Select}, sync types including {@code Mutex}, timers or sleeps; not
     * inside {@link #blocking} or network I/O) and no timer is due; timers due now, such as an
     * {@code afterFunc(0)}, run first. The clock does not move while a goroutine waits here and
     * others can still run.
     *
     * @throws IllegalStateException outside a runtime built with {@code virtualTime(true)}, on a
     *     plain thread, or if another goroutine is already waiting in it
     */
    public static void awaitBlocked() {
        Carrier.current().scheduler().awaitBlocked();
    }

    /**
     * A cooperative preemption point: yields if the runtime has asked this goroutine to (its time
     * slice is over, or the world is being stopped). Put it in long loops that make no other
     * runtime call.
     */
    public static void checkpoint() {
        // The fast path reads no carrier state: the thread's type cannot change across a yield
        // and the pending count is global (see Carrier.preemptPending).
        if (!(Thread.currentThread() instanceof Carrier)) {
            Carrier.current(); // throws the usual IllegalStateException
        }
        if (Carrier.preemptPending()) {
            Carrier.current().checkpoint();
        }
    }

    /**
     * Runs a call that may block its thread (a blocking JDK method) as Go runs a system call: the
     * P waits in syscall state while the call runs; if the call takes longer than a sysmon tick
     * (20 µs to 10 ms) while other goroutines wait, sysmon hands the P to another carrier, so
     * other goroutines keep running. A short call takes its P back at once. Rethrows what the
     * call throws (checked exceptions wrapped in {@link GoroutineException}).
     */
    public static <T> T blocking(Callable<T> call) {
        Objects.requireNonNull(call, "call");
        try {
            return Carrier.current().blocking(call);
        } catch (Exception e) {
            throw GoroutineException.rethrow(e);
        }
    }

    /**
     * As {@link #blocking} for a call known to block for long (a socket accept, a queue take): the
     * P is handed to another carrier at once instead of after a sysmon tick.
     */
    public static <T> T blockingLong(Callable<T> call) {
        Objects.requireNonNull(call, "call");
        try {
            return Carrier.current().blockingLong(call);
        } catch (Exception e) {
            throw GoroutineException.rethrow(e);
        }
    }

    /** Wires the calling goroutine to its current carrier thread until {@link #unlockOSThread()}. */
    public static void lockOSThread() {
        Carrier.current().lockOSThread();
    }

    /** Undoes one {@link #lockOSThread()}. */
    public static void unlockOSThread() {
        Carrier.current().unlockOSThread();
    }

    /** The calling goroutine's id. */
    public static long id() {
        return Carrier.current().currentGoroutine().id();
    }

    /** The calling goroutine: a handle that keeps describing it after it ends (see {@link Goroutine}). */
    public static Goroutine current() {
        return Carrier.current().currentHandle();
    }

    /**
     * Whether the caller is a goroutine, or a JDK virtual thread of a runtime ({@link
     * GoRuntime#virtualThreadBuilder()}), which counts as one.
     */
    public static boolean inGoroutine() {
        return Carrier.currentOrNull() != null;
    }
}
