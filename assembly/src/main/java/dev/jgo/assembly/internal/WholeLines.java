package dev.jgo.assembly.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * A stream that passes on whole lines only: bytes wait until their line ends, then the line goes
 * to the target in one write. {@link PrintStream} serializes each write, so another writer of the
 * same stream that also writes whole lines (Go's schedtrace line, printed by sysmon) never lands
 * inside one of these.
 *
 * <p>Concurrency: one writer; the target may be shared.
 */
final class WholeLines extends OutputStream {
    private final PrintStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private WholeLines(PrintStream target) {
        this.target = target;
    }

    /** A print stream over {@code target} that passes on whole lines only. */
    static PrintStream of(PrintStream target) {
        return new PrintStream(new WholeLines(target), false, target.charset());
    }

    @Override
    public void write(int b) {
        line.write(b);
        if (b == '\n') {
            target.write(line.toByteArray(), 0, line.size());
            target.flush();
            line.reset();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }
}
