package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event encoding of {@link TraceBuffer}: whatever is written is read back exactly. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceBufferTest {
    /** An event as the listener passed it. */
    private record Ev(int rt, int kind, long t, long x, long y, long z) {}

    /**
     * Events shaped like a scheduler's on P {@code pid} of runtime {@code rt} (goroutine ids near
     * each other, runs that create, park and exit, P and steal events), mixed with events for the
     * medium and wide forms (gaps over 8 us, ids further apart, M ids over 30) and for the long form only
     * (gaps over 4 s, far ids, creates by another parent, values that disagree with the buffer's
     * P, M ids over 2046, another runtime), each form at and across its limits.
     */
    private static List<Ev> randomEvents(SplittableRandom r, int n, int rt, int pid) {
        List<Ev> evs = new ArrayList<>(n);
        long t = r.nextLong(1_000);
        long goid = 1 + r.nextLong(1000);
        long running = 0;
        for (int i = 0; i < n; i++) {
            int dice = r.nextInt(100);
            t += dice < 2 ? r.nextLong(1L << 33) : dice < 10 ? r.nextLong(1L << 20) : r.nextInt(5_000);
            dice = r.nextInt(100);
            goid += dice < 2
                    ? r.nextLong(-(1L << 40), 1L << 40)
                    : dice < 5
                            ? r.nextLong(-(1L << 30), 1L << 30)
                            : dice < 8 ? r.nextInt(-20_000, 20_000) : r.nextInt(-20, 21);
            goid = Math.max(1, goid);
            boolean odd = r.nextInt(100) < 3; // a value that disagrees with what the P implies
            int p = odd ? pid + 1 : pid;
            int ert = r.nextInt(200) == 0 ? rt + 1 : rt;
            dice = r.nextInt(100);
            int mid = dice < 2 ? 5_000 + r.nextInt(100_000) : dice < 6 ? 20 + r.nextInt(2_100) : r.nextInt(8);
            int kind = r.nextInt(13);
            Ev e = switch (kind) {
                case TraceBuffer.GO_CREATE -> new Ev(ert, kind, t, goid, odd ? running + 7 : running, p);
                case TraceBuffer.GO_START -> new Ev(ert, kind, t, goid, p, mid);
                case TraceBuffer.GO_PARK -> new Ev(ert, kind, t, goid, p, r.nextInt(30));
                case TraceBuffer.PROC_START, TraceBuffer.PROC_STOP -> new Ev(ert, kind, t, p, mid, odd ? 1 : 0);
                case TraceBuffer.STEAL -> new Ev(ert, kind, t, p, r.nextInt(16), r.nextInt(300));
                case TraceBuffer.SPIN_START, TraceBuffer.SPIN_STOP -> new Ev(ert, kind, t, mid, p, 0);
                default -> new Ev(ert, kind, t, goid, p, odd ? 3 : 0);
            };
            running = TraceBuffer.runningAfter(e.kind, e.x, running);
            evs.add(e);
        }
        return evs;
    }

    private static void write(TraceBuffer b, List<Ev> evs) {
        for (Ev e : evs) {
            b.event(e.rt, e.kind, e.t, e.x, e.y, e.z);
        }
    }

    private static List<Ev> read(TraceBuffer b) {
        TraceBuffer.Reader rd = new TraceBuffer.Reader(b);
        long counted = rd.count();
        List<Ev> out = new ArrayList<>();
        while (rd.next()) {
            out.add(new Ev(rd.rt, rd.kind, rd.time, rd.x, rd.y, rd.z));
        }
        assertEquals(counted, out.size(), "count() agrees with next()");
        return out;
    }

    @Test
    void pBufferRoundTripsRandomEvents() {
        SplittableRandom r = new SplittableRandom(1);
        for (int round = 0; round < 20; round++) {
            int rt = r.nextInt(3);
            int pid = r.nextInt(64);
            // enough events for several chunks, so long events meet chunk ends (unused tails)
            List<Ev> evs = randomEvents(r, 40_000, rt, pid);
            TraceBuffer b = new TraceBuffer(round, rt, pid);
            write(b, evs);
            assertEquals(evs, read(b), "round " + round);
            assertEquals(0, b.dropped);
        }
    }

    @Test
    void mostSchedulerEventsAreOneInt() {
        SplittableRandom r = new SplittableRandom(2);
        TraceBuffer b = new TraceBuffer(0, 0, 3);
        List<Ev> evs = new ArrayList<>();
        long t = 0;
        long goid = 100;
        for (int i = 0; i < 10_000; i++) { // skynet's shape: create, start, exit, nearby ids
            t += 50 + r.nextInt(500);
            evs.add(new Ev(0, TraceBuffer.GO_START, t, goid, 3, 1));
            evs.add(new Ev(0, TraceBuffer.GO_CREATE, t, goid + 1, goid, 3));
            t += 50 + r.nextInt(500);
            evs.add(new Ev(0, TraceBuffer.GO_EXIT, t, goid, 3, 0));
            goid += r.nextInt(1, 4);
        }
        write(b, evs);
        assertEquals(evs, read(b));
        assertEquals(evs.size(), b.published(), "one int per event");
    }

    /** Each form at its limits: the largest value that fits, and the next one, which must not. */
    @Test
    void formLimitsRoundTrip() {
        TraceBuffer b = new TraceBuffer(0, 0, 1);
        List<Ev> evs = new ArrayList<>();
        long t = 0;
        long goid = 1_000_000;
        long[] gaps = {0, 8191, 8192, 0xFFFF_FFFFL, 0x1_0000_0000L};
        long[] deltas = {
            0,
            255,
            256,
            -256,
            -257,
            8_191,
            8_192,
            -8_192,
            -8_193,
            Integer.MAX_VALUE,
            1L << 31,
            Integer.MIN_VALUE,
            Integer.MIN_VALUE - 1L
        };
        long[] mids = {-1, 0, 30, 31, 2046, 2047};
        evs.add(new Ev(0, TraceBuffer.GO_START, t, goid, 1, 0)); // 1M from the initial id 0: wide
        long ints = TraceBuffer.WIDE_INTS; // what the smallest form that fits takes
        for (long gap : gaps) {
            for (long d : deltas) {
                for (long mid : mids) {
                    t += gap;
                    goid += d;
                    evs.add(new Ev(0, TraceBuffer.GO_START, t, goid, 1, mid));
                    if (gap <= 8191 && d >= -256 && d <= 255 && mid <= 30) {
                        ints += 1;
                    } else if (gap <= 0xFFFF_FFFFL && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE && mid <= 2046) {
                        ints += d >= -8_192 && d <= 8_191 ? TraceBuffer.MEDIUM_INTS : TraceBuffer.WIDE_INTS;
                    } else {
                        ints += TraceBuffer.LONG_INTS;
                    }
                }
            }
        }
        write(b, evs);
        assertEquals(evs, read(b));
        assertEquals(ints, b.published(), "each event in the smallest form that holds it");
    }

    @Test
    void threadBufferKeepsEveryValueInLongEvents() {
        SplittableRandom r = new SplittableRandom(3);
        TraceBuffer b = new TraceBuffer(7, 0, -1);
        List<Ev> evs = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < 5_000; i++) {
            t += r.nextInt(1000);
            evs.add(new Ev(r.nextInt(256), r.nextInt(13), t, r.nextLong(1L << 50), r.nextLong(-1, 1L << 40), -1));
        }
        write(b, evs);
        assertEquals(evs, read(b));
        int chunks = b.published() / TraceBuffer.CHUNK_INTS + 1; // each may end unused
        assertTrue(b.published() >= evs.size() * TraceBuffer.LONG_INTS, "nine ints per event");
        assertTrue(b.published() < evs.size() * TraceBuffer.LONG_INTS + chunks * TraceBuffer.LONG_INTS);
    }

    @Test
    void fullBufferDropsLaterEventsAndCountsThem() {
        TraceBuffer b = new TraceBuffer(0, 0, 0);
        long capacity = (long) TraceBuffer.CHUNK_INTS * TraceBuffer.MAX_CHUNKS;
        long extra = 1_000;
        for (long i = 0; i < capacity + extra; i++) {
            b.event(0, TraceBuffer.GO_UNPARK, i, 1 + (i & 7), 0, 0);
        }
        assertEquals(extra, b.dropped);
        TraceBuffer.Reader rd = new TraceBuffer.Reader(b);
        assertEquals(capacity, rd.count());
        long i = 0;
        while (rd.next()) {
            assertEquals(i, rd.time);
            assertEquals(1 + (i & 7), rd.x);
            i++;
        }
        assertEquals(capacity, i);
    }

    /** A reader that starts while the writer runs reads a prefix of what was written, exactly. */
    @Test
    void readerDuringWritesSeesAnExactPrefix() throws Exception {
        SplittableRandom r = new SplittableRandom(4);
        List<Ev> evs = randomEvents(r, 300_000, 0, 2);
        for (int round = 0; round < 10; round++) {
            TraceBuffer b = new TraceBuffer(0, 0, 2);
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    write(b, evs);
                } catch (Throwable e) {
                    failed.set(e);
                } finally {
                    done.set(true);
                }
            });
            writer.start();
            int reads = 0;
            while (!done.get() || reads == 0) {
                List<Ev> got = read(b);
                assertEquals(evs.subList(0, got.size()), got, "round " + round + ", read " + reads);
                reads++;
            }
            writer.join();
            assertEquals(null, failed.get());
            assertEquals(evs, read(b));
            assertTrue(reads > 0);
        }
    }

    @Test
    void runningGoroutineFollowsStartsAndEnds() {
        assertEquals(5, TraceBuffer.runningAfter(TraceBuffer.GO_START, 5, 0));
        assertEquals(5, TraceBuffer.runningAfter(TraceBuffer.GO_SYSCALL_EXIT, 5, 0));
        assertEquals(5, TraceBuffer.runningAfter(TraceBuffer.GO_CREATE, 9, 5));
        assertEquals(5, TraceBuffer.runningAfter(TraceBuffer.GO_UNPARK, 9, 5));
        for (int k : new int[] {
            TraceBuffer.GO_PARK,
            TraceBuffer.GO_YIELD,
            TraceBuffer.GO_EXIT,
            TraceBuffer.GO_SYSCALL_ENTER,
            TraceBuffer.PROC_STOP
        }) {
            assertEquals(0, TraceBuffer.runningAfter(k, 5, 5));
        }
        assertFalse(TraceBuffer.runningAfter(TraceBuffer.PROC_START, 1, 5) == 0);
    }

    /**
     * {@link TraceBuffer#shortGo}, the listener's fast path, writes exactly the ints and encoding
     * state {@link TraceBuffer#event} writes whenever it accepts an event, in tracer and ring
     * buffers, and the buffer reads back the events: each goroutine event the listener would pass
     * it (its P and runtime, a create by the running goroutine) goes through it, as in
     * {@code Tracer}'s listener, falling back to {@code event} when it declines.
     */
    @Test
    void fastPathWritesWhatEventWrites() {
        SplittableRandom r = new SplittableRandom(7);
        for (int round = 0; round < 10; round++) {
            int rt = r.nextInt(3);
            int pid = r.nextInt(64);
            List<Ev> evs = randomEvents(r, 40_000, rt, pid);
            boolean ring = round % 2 == 1;
            TraceRetention keepAll =
                    ring ? new TraceRetention(Long.MAX_VALUE / 4, Long.MAX_VALUE, new ArrayList<>()) : null;
            TraceBuffer fast = new TraceBuffer(0, rt, pid, keepAll);
            TraceBuffer slow = new TraceBuffer(1, rt, pid, keepAll);
            int taken = 0;
            for (Ev e : evs) {
                boolean implied = e.rt == rt
                        && e.kind <= TraceBuffer.GO_EXIT
                        && (e.kind == TraceBuffer.GO_CREATE ? e.y == fast.curG && e.z == pid : e.y == pid)
                        && (e.kind == TraceBuffer.GO_START
                                || e.kind == TraceBuffer.GO_PARK
                                || e.kind == TraceBuffer.GO_CREATE
                                || e.z == 0);
                long aux = e.kind == TraceBuffer.GO_START || e.kind == TraceBuffer.GO_PARK ? e.z : 0;
                boolean endsRun = e.kind == TraceBuffer.GO_PARK
                        || e.kind == TraceBuffer.GO_YIELD
                        || e.kind == TraceBuffer.GO_EXIT;
                long running = TraceBuffer.runningAfter(e.kind, e.x, fast.curG);
                if (implied && fast.shortGo(e.kind, e.t, e.x, aux, running, endsRun)) {
                    taken++;
                } else {
                    fast.event(e.rt, e.kind, e.t, e.x, e.y, e.z);
                }
                slow.event(e.rt, e.kind, e.t, e.x, e.y, e.z);
                assertEquals(slow.curG, fast.curG);
                assertEquals(slow.lastGoid, fast.lastGoid);
                assertEquals(slow.ended, fast.ended);
            }
            assertTrue(taken > evs.size() / 4, "the fast path took " + taken + " of " + evs.size());
            assertEquals(ints(slow), ints(fast), "round " + round);
            assertEquals(evs, read(fast), "round " + round);
        }
    }

    /** The published ints of every chunk of {@code b}, in order. */
    private static List<Integer> ints(TraceBuffer b) {
        List<Integer> out = new ArrayList<>();
        for (TraceBuffer.Chunk c : b.chunks) {
            for (int i = 0; i < c.published(); i++) {
                out.add(c.data[i]);
            }
        }
        return out;
    }
}
