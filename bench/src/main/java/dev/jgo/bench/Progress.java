package dev.jgo.bench;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long command on stderr, so that stdout stays a table scripts can read: one line
 * per item (a workload, a workload at one GOMAXPROCS), a dot per finished run on it, then its
 * time and how many items are done.
 *
 * <pre>
 * bench: skynet ......... 3.2 s [1/6]
 * </pre>
 */
public final class Progress {
    private final PrintStream err;
    private final String command;
    private final int total;
    private int done;
    private long itemStart;

    /** {@code total} items of {@code command}, reported on {@code err}. */
    public Progress(PrintStream err, String command, int total) {
        this.err = err;
        this.command = command;
        this.total = total;
    }

    /** Reports nothing. */
    public static Progress none() {
        return new Progress(new PrintStream(OutputStream.nullOutputStream()), "", 0);
    }

    /** An item begins. */
    void start(String item) {
        itemStart = System.nanoTime();
        err.print(command + ": " + item + " ");
        err.flush();
    }

    /** One run of the item finished. */
    void tick() {
        err.print('.');
        err.flush();
    }

    /** The item finished. */
    void done() {
        done++;
        err.printf(Locale.ROOT, " %.1f s [%d/%d]%n", (System.nanoTime() - itemStart) / 1e9, done, total);
        err.flush();
    }

    /** The item failed: ends its line so the error starts on a fresh one. */
    void failed() {
        err.println(" failed");
        err.flush();
    }
}
