package dev.jgo.bench;

/** A command line that cannot be run: unknown command, option or value. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
