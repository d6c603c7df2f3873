package dev.jgo.spi;

import java.util.function.IntConsumer;

/**
 * The core scheduler's narrow view of its Ps, through which a {@link SafepointCoordinator} stops
 * and starts the world, runs safe-point functions and resizes GOMAXPROCS. The coordinator owns
 * the protocol (one stopper at a time, waiting, re-preempting, sanity checks); the core owns
 * the P state machine, so every transition still goes through the core's checked CAS helpers.
 *
 * <p>P statuses are reported with the constants below (Go's {@code _Pidle} ... {@code _Pdead}).
 *
 * <p>Concurrency: {@link #stopBegin}, {@link #startWorld}, {@link #safePointBegin} and {@link
 * #safePointEnd} must be serialized by the caller (Go's {@code worldsema}); the others may be
 * called from any thread. The thread that called {@link #stopBegin} must call {@link
 * #startWorld}, and if it runs a goroutine, that goroutine must not park, yield or block in
 * between.
 */
public interface ProcControl {
    /** {@link #pStatus}: on the idle list, or handed to an M that has not taken it yet. */
    int P_IDLE = 0;
    /** {@link #pStatus}: an M runs goroutines on it. */
    int P_RUNNING = 1;
    /** {@link #pStatus}: its goroutine is in {@code Go.blocking}. */
    int P_SYSCALL = 2;
    /** {@link #pStatus}: stopped for a stop-the-world. */
    int P_GCSTOP = 3;
    /** {@link #pStatus}: removed by a GOMAXPROCS decrease. */
    int P_DEAD = 4;

    /** GOMAXPROCS now. */
    int gomaxprocs();

    /** The id of the P the calling goroutine runs on, or -1 outside any P of this runtime. */
    int currentP();

    /**
     * Port of the first half of stopTheWorldWithSema: raises {@code gcwaiting}, asks every
     * running goroutine to yield, stops the caller's own P, takes Ps in a system call and idle Ps
     * directly. Returns how many Ps must still stop by themselves ({@code stopwait}).
     */
    int stopBegin();

    /** Port of runtime.preemptall: asks the goroutine on every running P to yield. Returns how many. */
    int preemptAll();

    /**
     * Waits up to {@code nanos} for the running Ps to reach a safe point and stop; returns how
     * many are still running (0: the world is stopped).
     */
    int awaitStopped(long nanos);

    /** The status of P {@code pid} (one of the {@code P_} constants). */
    int pStatus(int pid);

    /** One line per P that has not stopped yet, naming its M and goroutine (diagnostics). */
    String describeRunning();

    /**
     * Port of startTheWorldWithSema: with {@code newprocs > 0}, first resizes the Ps to that
     * many (procresize: a removed P's run queue, timers and free goroutines move elsewhere);
     * then lowers {@code gcwaiting}, gives each P with work to an M and puts the others on the
     * idle list, and wakes one more M. Returns GOMAXPROCS before the call.
     *
     * @throws IllegalStateException if the world is not stopped
     */
    int startWorld(int newprocs);

    /**
     * Abandons a stop that has not completed (a bounded stop that timed out): lowers {@code
     * gcwaiting}, restarts the Ps that stopped as {@link #startWorld} does, and lets the Ps that
     * never stopped run on. Same caller rule as {@link #startWorld}.
     */
    void abortStop();

    /**
     * First half of forEachP: asks every P but the caller's to run {@code fn} (with its P id) at
     * its next safe point, preempts running goroutines, runs {@code fn} for idle Ps and for Ps
     * in a system call on their behalf, and for the caller's P. Returns how many Ps still have
     * to run it. An exception from {@code fn} is caught and kept for {@link #safePointEnd}.
     */
    int safePointBegin(IntConsumer fn);

    /** Waits up to {@code nanos} for the remaining Ps to run the function; returns how many have not. */
    int awaitSafePoints(long nanos);

    /**
     * Ends a forEachP: clears the function and returns the exceptions its calls threw (empty if
     * none), in the order they were thrown.
     */
    java.util.List<Throwable> safePointEnd();
}
