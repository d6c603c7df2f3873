package dev.jgo.core.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what the runtime reports through {@code System.Logger} "dev.jgo" (the JDK backs it
 * with java.util.logging) while open.
 */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("dev.jgo"); // held: JUL keeps loggers weakly
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Records at {@code level} or above whose message contains {@code text}. */
    List<LogRecord> find(Level level, String text) {
        return records.stream()
                .filter(r -> r.getLevel().intValue() >= level.intValue())
                .filter(r -> String.valueOf(r.getMessage()).contains(text))
                .toList();
    }

    List<LogRecord> all() {
        return List.copyOf(records);
    }

    @Override
    public void publish(LogRecord r) {
        records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
