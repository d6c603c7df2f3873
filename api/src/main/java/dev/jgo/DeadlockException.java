package dev.jgo;

/**
 * Thrown by {@link GoRuntime#run} when no goroutine can ever run again: every goroutine is
 * blocked, none is runnable or in a blocking call, and nothing (a timer, the network) can wake
 * one. The message is Go's: {@code "all goroutines are asleep - deadlock!"}.
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
}
