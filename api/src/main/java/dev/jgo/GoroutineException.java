package dev.jgo;

/**
 * Carries a checked exception thrown by a goroutine's body out of {@link GoRuntime#run} or
 * {@link Go#blocking}. Unchecked exceptions and errors are rethrown as they are; only checked
 * ones are wrapped, so that callers need not declare {@code throws Exception}.
 */
public final class GoroutineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GoroutineException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Rethrows {@code t} unchanged if unchecked, else wrapped in a GoroutineException. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new GoroutineException(String.valueOf(t), t);
    }
}
