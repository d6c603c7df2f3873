package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ring buffers of a flight recorder: what {@link TraceRetention} keeps and drops. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceRetentionTest {
    private static final long CHUNK_BYTES = TraceBuffer.RING_CHUNK_INTS * (long) Integer.BYTES;

    /** Events of buffer {@code b}: starts, parks and creates, {@code gap} ns apart, from {@code t}. */
    private static long[] write(TraceBuffer b, int n, long t, long gap, long goid0, List<long[]> log) {
        long goid = goid0;
        for (int i = 0; i < n; i++) {
            t += gap;
            int kind = i % 3 == 0 ? TraceBuffer.GO_START : i % 3 == 1 ? TraceBuffer.GO_CREATE : TraceBuffer.GO_PARK;
            long x = kind == TraceBuffer.GO_CREATE ? goid + 1000 : goid;
            long y = kind == TraceBuffer.GO_CREATE ? b.curG : b.pid;
            long z = kind == TraceBuffer.GO_CREATE ? b.pid : 2;
            b.event(0, kind, t, x, y, z);
            if (log != null) {
                log.add(new long[] {kind, t, x, y, z});
            }
            if (kind == TraceBuffer.GO_PARK) {
                goid++;
            }
        }
        return new long[] {t, goid};
    }

    private static List<long[]> read(TraceBuffer b) {
        List<long[]> evs = new ArrayList<>();
        TraceBuffer.Reader rd = new TraceBuffer.Reader(b);
        while (rd.next()) {
            evs.add(new long[] {rd.kind, rd.time, rd.x, rd.y, rd.z});
        }
        return evs;
    }

    @Test
    void keepsAtLeastMinAgeAndDecodesFromAnyChunk() {
        ConcurrentLinkedQueue<TraceBuffer> bufs = new ConcurrentLinkedQueue<>();
        long minAge = 1_000_000; // 1 ms of events, 1 us apart: far more than one chunk
        TraceRetention ring = new TraceRetention(minAge, Long.MAX_VALUE, bufs);
        TraceBuffer b = new TraceBuffer(0, 0, 1, ring);
        bufs.add(b);
        List<long[]> log = new ArrayList<>();
        long[] end = write(b, 200_000, 0, 1_000, 1, log);
        List<long[]> kept = read(b);
        assertTrue(kept.size() < log.size() / 4, "old chunks dropped: kept " + kept.size() + " of " + log.size());
        long last = end[0];
        long first = kept.get(0)[1];
        assertTrue(first <= last - minAge, "the window spans minAge: " + (last - first) + " ns");
        long chunkSpan = TraceBuffer.RING_CHUNK_INTS * 1_000L; // at most one event per int
        assertTrue(first > last - minAge - 2 * chunkSpan, "no more than a chunk beyond minAge: " + (last - first));
        // the kept events are exactly the newest written: each chunk decodes on its own
        List<long[]> tail = log.subList(log.size() - kept.size(), log.size());
        for (int i = 0; i < kept.size(); i++) {
            assertEquals(
                    List.of(tail.get(i)[0], tail.get(i)[1], tail.get(i)[2], tail.get(i)[3], tail.get(i)[4]),
                    List.of(kept.get(i)[0], kept.get(i)[1], kept.get(i)[2], kept.get(i)[3], kept.get(i)[4]),
                    "event " + i);
        }
        assertEquals(ring.retained(), b.chunks.size() * CHUNK_BYTES);
    }

    @Test
    void maxBytesWinsOverMinAgeAndDropsTheOldestAcrossBuffers() {
        ConcurrentLinkedQueue<TraceBuffer> bufs = new ConcurrentLinkedQueue<>();
        long maxBytes = 8 * CHUNK_BYTES;
        TraceRetention ring = new TraceRetention(Long.MAX_VALUE / 4, maxBytes, bufs);
        TraceBuffer busy = new TraceBuffer(0, 0, 0, ring);
        TraceBuffer quiet = new TraceBuffer(1, 0, 1, ring);
        bufs.add(busy);
        bufs.add(quiet);
        long[] q = write(quiet, 100, 0, 10, 1, null); // old events in the quiet P's buffer
        long t = q[0];
        long goid = 1_000_000;
        for (int round = 0; round < 50; round++) {
            long[] r = write(busy, 10_000, t, 100, goid, null);
            t = r[0];
            goid = r[1];
            assertTrue(ring.retained() <= maxBytes + CHUNK_BYTES, "bytes kept: " + ring.retained());
        }
        assertTrue(quiet.chunks.isEmpty(), "the oldest chunk, the quiet P's, went first");
        List<long[]> kept = read(busy);
        assertTrue(kept.size() > 8 * 1000, "about maxBytes of events kept: " + kept.size());
        assertEquals(t, kept.get(kept.size() - 1)[1], "the newest event is kept");
    }

    @Test
    void theSizeSearchFitsCloseBelowTheLimitInFewRenderings() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int round = 0; round < 200; round++) {
            int events = r.nextInt(0, 2_000_000);
            long[] cum = new long[events + 1]; // cum[i]: bytes of the events from i on
            for (int i = events - 1; i >= 0; i--) {
                cum[i] = cum[i + 1] + (r.nextInt(10) == 0 ? 0 : 60 + r.nextInt(200)); // some render nothing
            }
            long head = 300;
            long limit = r.nextLong(200, 40L << 20);
            int[] calls = {0};
            long skip = Tracer.skipFor(limit, events, k -> {
                calls[0]++;
                return head + cum[(int) k];
            });
            long bytes = head + cum[(int) skip];
            assertTrue(bytes <= limit || skip == events, "fits: " + bytes + " > " + limit);
            assertTrue(calls[0] <= 16, "renderings: " + calls[0]);
            if (skip > 0) {
                // the oldest were left out only when needed or once 90% of the limit was filled
                assertTrue(head + cum[0] > limit || bytes >= limit / 10 * 9, "left out events of a trace that fit");
                assertTrue(
                        bytes >= limit * 8 / 10 || head + cum[(int) skip - 1] > limit,
                        "close below the limit: " + bytes + " of " + limit);
            }
        }
    }
}
