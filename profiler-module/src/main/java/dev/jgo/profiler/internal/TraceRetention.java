package dev.jgo.profiler.internal;

import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a flight recorder's ring buffers keep (Go 1.25's {@code trace.FlightRecorderConfig}): at
 * least the last {@link #minAgeNanos} of events, and at most about {@link #maxBytes} of them,
 * which wins: the oldest chunks go first.
 *
 * <h2>Design note: dropping chunks</h2>
 *
 * Go's flight recorder keeps whole generations of the trace and drops the oldest. jgo drops whole
 * chunks (see {@link TraceBuffer}, "chunks and rings"); each chunk knows the time its events
 * start from, and no chunk's memory is ever reused, so a reader holding a dropped chunk still
 * reads it whole. Nothing happens per event: the writer calls {@link #added} when it opens a
 * chunk, and:
 *
 * <ol>
 *   <li>drops its own oldest chunk while the next one starts more than {@code minAge} before
 *       the new one (every event of the oldest is then older than the window);
 *   <li>while the chunks of all the recorder's buffers hold more than {@code maxBytes}, drops the
 *       oldest chunk of any buffer (the one whose events start earliest), the chunk being written
 *       of another buffer included: its writer goes on filling it unseen until its next chunk.
 * </ol>
 *
 * Two threads may pick the same chunk; {@link TraceBuffer.Chunk#tryDrop} lets one account for it.
 * Memory stays within {@code maxBytes} plus the chunk just opened. Rejected: a ring of reused
 * arrays (a reader could read a chunk being overwritten) and a global queue of chunks in opening
 * order (it would keep an entry per chunk dropped by age until the bytes bound reached it).
 *
 * <p>Concurrency: any thread; no lock.
 */
final class TraceRetention {
    final long minAgeNanos;
    final long maxBytes;
    /** Every buffer of the recorder (the tracer's list). */
    private final Collection<TraceBuffer> bufs;
    /** Bytes of the chunks kept, over all buffers. */
    private final AtomicLong retained = new AtomicLong();

    TraceRetention(long minAgeNanos, long maxBytes, Collection<TraceBuffer> bufs) {
        if (minAgeNanos < 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("minAge must be >= 0 and maxBytes > 0");
        }
        this.minAgeNanos = minAgeNanos;
        this.maxBytes = maxBytes;
        this.bufs = bufs;
    }

    /** Bytes of the chunks kept. */
    long retained() {
        return retained.get();
    }

    /**
     * {@code b}'s writer opened chunk {@code c}: drops what the bounds say (see "dropping
     * chunks"). Concurrency: {@code b}'s writer.
     */
    void added(TraceBuffer b, TraceBuffer.Chunk c) {
        retained.addAndGet(c.bytes());
        long cutoff = c.start - minAgeNanos;
        while (true) { // step 1
            Iterator<TraceBuffer.Chunk> it = b.chunks.iterator();
            TraceBuffer.Chunk first = it.hasNext() ? it.next() : null;
            TraceBuffer.Chunk second = it.hasNext() ? it.next() : null;
            if (second == null || second.start >= cutoff) {
                break;
            }
            drop(b, first);
        }
        while (retained.get() > maxBytes) { // step 2
            TraceBuffer victim = null;
            TraceBuffer.Chunk oldest = null;
            for (TraceBuffer o : bufs) {
                TraceBuffer.Chunk f = o.chunks.peekFirst();
                if (f != null && f != c && (oldest == null || f.start < oldest.start)) {
                    victim = o;
                    oldest = f;
                }
            }
            if (victim == null) {
                break; // only the chunk just opened is left
            }
            drop(victim, oldest);
        }
    }

    private void drop(TraceBuffer b, TraceBuffer.Chunk c) {
        if (c.tryDrop()) {
            b.chunks.removeFirstOccurrence(c);
            retained.addAndGet(-c.bytes());
        } else {
            b.chunks.removeFirstOccurrence(c); // dropped by another thread that has not removed it yet
        }
    }
}
