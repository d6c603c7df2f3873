package dev.jgo;

/**
 * Thrown by {@link GoRuntime#run} when no goroutine can ever run again: every goroutine is
 * blocked, none is runnable or in a blocking call, and nothing (a timer, the network) can wake
 * one. The message is Go's: {@code "all goroutines are asleep - deadlock!"}, followed, as Go's
 * fatal error is, by the debug=2 dump of every goroutine with its wait reason (an empty line,
 * then one traceback per goroutine, see {@link dev.jgo.spi.Traceback}).
 */
public final class DeadlockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Go's message for a deadlocked program. */
    public static final String MESSAGE = "all goroutines are asleep - deadlock!";

    public DeadlockException() {
        super(MESSAGE);
    }

    public DeadlockException(String detail) {
        super(MESSAGE + " (" + detail + ")");
    }

    /**
     * Go's message, {@code detail} in parentheses unless null, then an empty line and {@code
     * goroutines}, the dump of every goroutine.
     */
    public DeadlockException(String detail, String goroutines) {
        super(MESSAGE + (detail != null ? " (" + detail + ")" : "") + "\n\n" + goroutines);
    }
}
