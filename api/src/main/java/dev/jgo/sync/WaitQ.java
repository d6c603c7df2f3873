package dev.jgo.sync;

/**
 * Port of runtime.waitq: a FIFO of sudogs waiting to send or to receive on one channel.
 *
 * <p>Concurrency: every method requires the owning channel's lock.
 */
final class WaitQ {

    private Sudog first;
    private Sudog last;

    /** Port of runtime.(*waitq).enqueue. Concurrency: requires the channel lock. */
    void enqueue(Sudog sgp) {
        sgp.next = null;
        Sudog x = last;
        if (x == null) {
            sgp.prev = null;
            first = sgp;
            last = sgp;
            return;
        }
        sgp.prev = x;
        x.next = sgp;
        last = sgp;
    }

    /**
     * Port of runtime.(*waitq).dequeue: removes and returns the first sudog whose goroutine can
     * still be woken. A select's sudog whose select was already won by another case (another
     * channel, or close) is unlinked and skipped: the CAS on {@link Select#casSelectDone} is the
     * single decision point, as Go's {@code gp.selectDone}.
     *
     * <p>Concurrency: requires the channel lock.
     */
    Sudog dequeue() {
        for (; ; ) {
            Sudog sgp = first;
            if (sgp == null) {
                return null;
            }
            Sudog y = sgp.next;
            if (y == null) {
                first = null;
                last = null;
            } else {
                y.prev = null;
                first = y;
                sgp.next = null;
            }
            if (sgp.sel != null && !sgp.sel.casSelectDone()) {
                continue;
            }
            return sgp;
        }
    }

    /**
     * Port of runtime.(*waitq).dequeueSudoG: unlinks {@code x} if it is still queued (a waker may
     * already have unlinked it).
     *
     * <p>Concurrency: requires the channel lock.
     */
    void dequeueSudog(Sudog x) {
        Sudog y = x.prev;
        Sudog z = x.next;
        if (y != null) {
            if (z != null) {
                y.next = z;
                z.prev = y;
                x.next = null;
                x.prev = null;
                return;
            }
            y.next = null;
            last = y;
            x.prev = null;
            return;
        }
        if (z != null) {
            z.prev = null;
            first = z;
            x.next = null;
            return;
        }
        if (first == x) {
            first = null;
            last = null;
        }
    }

    /** The number of queued sudogs (for diagnostics and tests). Concurrency: requires the channel lock. */
    int length() {
        int n = 0;
        for (Sudog s = first; s != null; s = s.next) {
            n++;
        }
        return n;
    }

    /** Whether no sudog waits. Concurrency: requires the channel lock. */
    boolean isEmpty() {
        return first == null;
    }
}
