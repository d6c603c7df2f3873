package dev.jgo.context;

import java.util.concurrent.CancellationException;

/**
 * The class of {@link Context#CANCELED} and {@link Context#DEADLINE_EXCEEDED}: shared instances
 * thrown from many places, so they record no stack trace (one taken at class initialization
 * would only mislead).
 */
final class ContextError extends CancellationException {
    private static final long serialVersionUID = 1L;

    ContextError(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
