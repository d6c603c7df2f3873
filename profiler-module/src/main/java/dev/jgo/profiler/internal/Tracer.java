package dev.jgo.profiler.internal;

import static dev.jgo.profiler.internal.TraceBuffer.GO_CREATE;
import static dev.jgo.profiler.internal.TraceBuffer.GO_EXIT;
import static dev.jgo.profiler.internal.TraceBuffer.GO_PARK;
import static dev.jgo.profiler.internal.TraceBuffer.GO_START;
import static dev.jgo.profiler.internal.TraceBuffer.GO_SYSCALL_ENTER;
import static dev.jgo.profiler.internal.TraceBuffer.GO_SYSCALL_EXIT;
import static dev.jgo.profiler.internal.TraceBuffer.GO_UNPARK;
import static dev.jgo.profiler.internal.TraceBuffer.GO_YIELD;
import static dev.jgo.profiler.internal.TraceBuffer.PROC_START;
import static dev.jgo.profiler.internal.TraceBuffer.PROC_STOP;
import static dev.jgo.profiler.internal.TraceBuffer.SPIN_START;
import static dev.jgo.profiler.internal.TraceBuffer.SPIN_STOP;
import static dev.jgo.profiler.internal.TraceBuffer.STEAL;

import dev.jgo.GoRuntime;
import dev.jgo.WaitReason;
import dev.jgo.spi.EventsControl;
import dev.jgo.spi.RuntimeRegistry;
import dev.jgo.spi.SchedEvents;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The execution tracer: Go's {@code runtime/trace} as Chrome trace-event JSON that Perfetto opens.
 *
 * <h2>Design note: recording and rendering</h2>
 *
 * Events arrive on the scheduler's threads in the middle of scheduling, so recording must be
 * short and must not block on other threads. Rendering (pairing starts with ends, flows) is
 * deferred to {@link #stop}.
 *
 * <ol>
 *   <li>{@link #start} attaches one {@link SchedEvents} listener per live runtime ({@link
 *       EventsControl}) and to runtimes built later (a {@link RuntimeRegistry} listener).
 *   <li>Each event goes to a buffer without a lock or a shared write (see "per-P buffers"),
 *       mostly as one {@code int} ({@link TraceBuffer}, "event encoding"); the buffer publishes
 *       its length with a release store. A full buffer (2^24 ints) drops further events and counts
 *       them.
 *   <li>{@link #stop} detaches, reads each buffer's published length (later events are lost, as
 *       the listener contract allows), merges the buffers by time (each is in time order
 *       already) and streams the JSON to the output as it renders: per runtime one process
 *       of P tracks and one of M tracks; a complete slice per goroutine run on its P and its M
 *       (nested in the M's "P n" slice, from acquirep to releasep); instants for create, park
 *       (with the wait reason), unpark, yield, syscall, steal and spin; a flow arrow from each
 *       unpark or create to the goroutine's next start.
 * </ol>
 *
 * A flight recorder ({@link JgoFlightRecorder}) is a tracer without an output whose buffers are
 * rings ({@link TraceRetention}): it renders with {@link #write} while it records, from a
 * snapshot of the published chunks, the window of the last {@code minAge} cut to the recorder's
 * {@code maxBytes} ({@link #skipFor}).
 *
 * <h2>Design note: per-P buffers</h2>
 *
 * Go's tracer writes per-M buffers. jgo writes per-P buffers, because nearly every event is
 * emitted by the M holding the P it names ({@code SchedEvents} passes the P id; the core emits P
 * events only from the P's owner, including {@code spin}, which passes the P the M holds):
 *
 * <ol>
 *   <li>the buffer is an array slot ({@code pbufs[pid]}), not a {@link ThreadLocal} lookup, which
 *       is out of line in goroutine code (see {@code InlineGuard});
 *   <li>one writer at a time: the P's hand-off between Ms (a CAS on its status, or
 *       {@code sched.lock}) orders one M's writes before the next M's;
 *   <li>the P and the runtime are implied by the buffer, so events shrink to one {@code int};
 *   <li>events with no P ({@code pid == -1}: a goroutine readied or started from a platform
 *       thread, an M spinning without a P) go to the recording thread's own buffer, found
 *       through a {@link ThreadLocal}, as long events.
 * </ol>
 *
 * Time order within a P buffer across Ms holds because {@code System.nanoTime} is monotonic
 * across threads; each buffer also clamps its times to never go backwards.
 *
 * <h2>Design note: clock reads</h2>
 *
 * A clock read is the dearest part of an event: {@code System.nanoTime()} is about 20-25 ns on
 * bare metal and about 40 ns on the 2-core VM where jgo is measured, and costs more in the
 * middle of the scheduler than in a loop (measured in skynet: about 100 ns per read). Go's
 * tracer reads the TSC, which Java code cannot. So two kinds of events read none:
 *
 * <ol>
 *   <li>a goroutine's create carries the time of the buffer's previous event (the creator's
 *       start, or its previous create): the GoCreate instant and its flow start at or just
 *       before the real {@code go} statement;
 *   <li>a goroutine's start right after the previous run on the same P ended (park, yield or
 *       exit, with no other event between) carries that end's time: the two slices abut, and
 *       the scheduler's fast path between them (the run queues, the global queue) is counted
 *       into the new run. Anything slower shows up as an event that reads the clock (a spin, a
 *       steal, an unpark from the poller or a timer, the P stopping), and the start after it
 *       reads the clock too.
 * </ol>
 *
 * In skynet this leaves about one clock read per goroutine (its exit), against more than two
 * before. Every event that ends a slice reads the clock.
 *
 * Rejected: a coarse clock ticked by a helper thread (a sleeping thread wakes every 50-100 us
 * at best, too coarse for goroutine runs of a few microseconds, and a spinning one takes a CPU);
 * interpolating times between sparse clock reads (a long run between two events would be
 * spread over its neighbours); the TSC read through a downcall to generated code (measured: 25
 * ns in a loop on this VM, no cheaper in situ than {@code nanoTime}).
 *
 * Events without an M (an unpark from a thread outside the runtime) go to an "external" track
 * of the P process. The M of events that carry none (park, yield, exit, syscall) is the M that
 * last started the buffer's P or a goroutine on it. An M that took its P before the trace
 * started (no P start event) gets a "P n" slice from the start of the trace.
 *
 * <h2>Design note: per-event path</h2>
 *
 * The goroutine events of a P (create, start, park, unpark, yield, syscall, exit: nearly all of
 * a goroutine-heavy program's) go first through {@link TraceBuffer#shortGo}: the P and runtime
 * are implied by the buffer, so it only checks that the time and goroutine id deltas and the aux
 * value fit the one-int form and that the chunk has room, then stores the int and the encoding
 * state. That path has no switch on the kind, no clock read of its own, no lock, atomic or
 * allocation, and the state it leaves ({@code running}, {@code endsRun}) is a constant per call
 * site.
 * Anything else (a thread buffer, a create by another goroutine, a value out of range, a full
 * chunk) falls back to {@link TraceBuffer#event}, which picks the form; both write the same
 * ints ({@code TraceBufferTest.fastPathWritesWhatEventWrites}). In a loop ({@code
 * docs/profiler-overhead/EventCost.java}) the fast path took an event from about 21 ns to about
 * 17.5 ns, of which the clock reads (two per four events) are about 9.
 */
final class Tracer {
    /** Runtimes traced at once: a long event's runtime index has 8 bits. */
    static final int MAX_RUNTIMES = 256;

    /** Where {@link #stop} writes, or null for a flight recorder. */
    private final OutputStream out;
    /** A flight recorder's bounds, or null: every buffer is a ring kept by them. */
    private final TraceRetention retention;

    private final long t0 = System.nanoTime();
    /** Every buffer, P buffers and thread buffers; registered when created. */
    private final ConcurrentLinkedQueue<TraceBuffer> bufs = new ConcurrentLinkedQueue<>();

    private final java.util.concurrent.atomic.AtomicInteger nbufs = new java.util.concurrent.atomic.AtomicInteger();
    /** Per recording thread: its buffer for events outside any P. */
    private final ThreadLocal<TraceBuffer> local = ThreadLocal.withInitial(() -> newBuf(0, -1));
    /** Runtime -> its listener; the runtime index is the order of attachment. */
    private final Map<GoRuntime, Listener> attached = new ConcurrentHashMap<>();

    private TraceBuffer newBuf(int rt, int pid) {
        TraceBuffer b = new TraceBuffer(nbufs.getAndIncrement(), rt, pid, retention);
        bufs.add(b);
        return b;
    }

    private final List<String> runtimeNames = java.util.Collections.synchronizedList(new ArrayList<>());
    private final RuntimeRegistry.Listener registryListener = new RuntimeRegistry.Listener() {
        @Override
        public void added(GoRuntime rt) {
            attach(rt);
        }

        @Override
        public void removed(GoRuntime rt) {
            Listener l = attached.remove(rt); // a closed runtime is not kept reachable by a long recording
            if (l != null && rt instanceof EventsControl ec) {
                ec.detachEvents(l);
            }
        }
    };

    /** A tracer that writes to {@code out} when stopped. */
    Tracer(OutputStream out) {
        this.out = out;
        this.retention = null;
    }

    /**
     * A flight recorder's tracer: its buffers are rings kept by {@code retention}'s bounds, and
     * it writes only when asked ({@link #write}).
     */
    Tracer(long minAgeNanos, long maxBytes) {
        this.out = null;
        this.retention = new TraceRetention(minAgeNanos, maxBytes, bufs);
    }

    void start() {
        RuntimeRegistry.addListener(registryListener);
        for (GoRuntime rt : RuntimeRegistry.live()) {
            attach(rt);
        }
    }

    private synchronized void attach(GoRuntime rt) {
        if (!(rt instanceof EventsControl ec) || attached.containsKey(rt) || runtimeNames.size() == MAX_RUNTIMES) {
            return; // beyond 256 runtimes in one trace, later ones are not traced
        }
        int idx = runtimeNames.size();
        runtimeNames.add(rt.toString());
        Listener l = new Listener(idx);
        attached.put(rt, l);
        ec.attachEvents(l);
    }

    /** The clock, in ns since the trace started, never before {@code b}'s last event. */
    private long now(TraceBuffer b) {
        long t = System.nanoTime() - t0;
        return t > b.lastTime ? t : b.lastTime;
    }

    /** The time of an event that reads no clock: that of {@code b}'s previous event, if any. */
    private long untimed(TraceBuffer b) {
        return b.clocked ? b.lastTime : now(b);
    }

    /** The listener of one runtime. */
    private final class Listener implements SchedEvents {
        private final int rt;
        /**
         * P buffers by P id, copy-on-write under this listener's monitor (see "per-P buffers").
         * Concurrency: read by any thread, replaced by {@link #newPBuf}.
         */
        private volatile TraceBuffer[] pbufs = new TraceBuffer[0];

        Listener(int rt) {
            this.rt = rt;
        }

        /**
         * The buffer of an event on P {@code pid}, which the calling thread holds, or the thread's
         * own buffer when {@code pid < 0}.
         */
        private TraceBuffer buf(int pid) {
            if (pid < 0) {
                return local.get();
            }
            TraceBuffer[] a = pbufs;
            TraceBuffer b;
            if (pid < a.length && (b = a[pid]) != null) {
                return b;
            }
            return newPBuf(pid);
        }

        private synchronized TraceBuffer newPBuf(int pid) {
            TraceBuffer[] a = pbufs;
            if (pid < a.length && a[pid] != null) {
                return a[pid];
            }
            TraceBuffer[] grown = java.util.Arrays.copyOf(a, Math.max(a.length, pid + 1));
            grown[pid] = newBuf(rt, pid);
            pbufs = grown; // volatile: publishes the new buffer with the array
            return grown[pid];
        }

        @Override
        public void goCreate(long goid, long parentGoid, int pid) {
            TraceBuffer b = buf(pid);
            long t = untimed(b);
            long running = b.curG; // a create leaves the running goroutine as it is
            if (pid < 0 || parentGoid != running || !b.shortGo(GO_CREATE, t, goid, 0, running, false)) {
                b.event(rt, GO_CREATE, t, goid, parentGoid, pid);
            }
        }

        @Override
        public void goStart(long goid, int pid, int mid) {
            TraceBuffer b = buf(pid);
            long t = b.ended ? b.lastTime : now(b); // see "clock reads"
            if (pid < 0 || !b.shortGo(GO_START, t, goid, mid, goid, false)) {
                b.event(rt, GO_START, t, goid, pid, mid);
            }
        }

        @Override
        public void goPark(long goid, WaitReason reason, int pid) {
            TraceBuffer b = buf(pid);
            long t = now(b);
            int why = reason.ordinal();
            if (pid < 0 || !b.shortGo(GO_PARK, t, goid, why, 0, true)) {
                b.event(rt, GO_PARK, t, goid, pid, why);
            }
        }

        @Override
        public void goUnpark(long goid, int pid) {
            TraceBuffer b = buf(pid);
            long t = now(b);
            if (pid < 0 || !b.shortGo(GO_UNPARK, t, goid, 0, b.curG, false)) {
                b.event(rt, GO_UNPARK, t, goid, pid, 0);
            }
        }

        @Override
        public void goYield(long goid, int pid) {
            TraceBuffer b = buf(pid);
            long t = now(b);
            if (pid < 0 || !b.shortGo(GO_YIELD, t, goid, 0, 0, true)) {
                b.event(rt, GO_YIELD, t, goid, pid, 0);
            }
        }

        @Override
        public void goSyscall(long goid, boolean enter, int pid) {
            TraceBuffer b = buf(pid);
            long t = now(b);
            int kind = enter ? GO_SYSCALL_ENTER : GO_SYSCALL_EXIT;
            if (pid < 0 || !b.shortGo(kind, t, goid, 0, enter ? 0 : goid, false)) {
                b.event(rt, kind, t, goid, pid, 0);
            }
        }

        @Override
        public void goExit(long goid, int pid) {
            TraceBuffer b = buf(pid);
            long t = now(b);
            if (pid < 0 || !b.shortGo(GO_EXIT, t, goid, 0, 0, true)) {
                b.event(rt, GO_EXIT, t, goid, pid, 0);
            }
        }

        @Override
        public void procStart(int pid, int mid) {
            timed(buf(pid), PROC_START, pid, mid, 0);
        }

        @Override
        public void procStop(int pid, int mid) {
            timed(buf(pid), PROC_STOP, pid, mid, 0);
        }

        @Override
        public void steal(int thiefPid, int victimPid, int count) {
            timed(buf(thiefPid), STEAL, thiefPid, victimPid, count);
        }

        @Override
        public void spin(int mid, int pid, boolean start) {
            timed(buf(pid), start ? SPIN_START : SPIN_STOP, mid, pid, 0);
        }

        private void timed(TraceBuffer b, int kind, long x, long y, long z) {
            b.event(rt, kind, now(b), x, y, z);
        }
    }

    /**
     * Detaches, then renders and writes the trace if it has an output (a flight recorder has
     * none: it writes with {@link #write}).
     *
     * @throws UncheckedIOException if writing failed
     */
    void stop() {
        RuntimeRegistry.removeListener(registryListener);
        for (Map.Entry<GoRuntime, Listener> e : attached.entrySet()) {
            if (e.getKey() instanceof EventsControl ec) {
                ec.detachEvents(e.getValue());
            }
        }
        if (out != null) {
            try {
                write(out, Long.MAX_VALUE, Long.MAX_VALUE);
            } catch (IOException e) {
                throw new UncheckedIOException("writing the execution trace failed", e);
            }
        }
    }

    /**
     * Renders the events published so far to {@code to}: those of the last {@code window} ns up
     * to the newest event (so a recorder asked after a quiet spell still writes the activity
     * before it), at most {@code limit} bytes of them. When they are larger the oldest are left
     * out ({@link #skipFor}). An empty trace larger than the limit is written anyway.
     * Concurrency: one call at a time per tracer, while it records or after {@link #stop}.
     */
    void write(OutputStream to, long window, long limit) throws IOException {
        long end = System.nanoTime() - t0;
        List<TraceBuffer.Reader> snapshot = new ArrayList<>();
        long dropped = 0;
        long words = 0;
        long newest = 0;
        for (TraceBuffer b : bufs) {
            TraceBuffer.Reader rd = new TraceBuffer.Reader(b); // reads the published counts
            dropped += b.dropped;
            words += rd.words();
            if (window != Long.MAX_VALUE) {
                newest = Math.max(newest, rd.newestTime());
            }
            snapshot.add(rd);
        }
        long from = window == Long.MAX_VALUE ? Long.MIN_VALUE : newest - window;
        long events = 0;
        for (TraceBuffer.Reader rd : snapshot) {
            events += from == Long.MIN_VALUE ? rd.count() : rd.countFrom(from);
        }
        long skip = 0;
        if (limit != Long.MAX_VALUE) {
            final long f = from;
            final long ev = events;
            final long dr = dropped;
            final long wd = words;
            skip = skipFor(limit, events, k -> render(snapshot, f, k, ev, dr, wd, end, null));
        }
        render(snapshot, from, skip, events, dropped, words, end, to);
        to.flush();
    }

    /** A trace's size in bytes when its oldest {@code skip} events are left out. */
    @FunctionalInterface
    interface SizeOf {
        long bytes(long skip) throws IOException;
    }

    /** Bytes of JSON per event assumed at most for the first guess: any event renders to less. */
    static final long MAX_EVENT_BYTES_GUESS = 400;

    /**
     * How many of the oldest of {@code events} events to leave out so that the trace fits {@code
     * limit} bytes, close below it. Rendering is deterministic, so a size measured here is the size
     * written. Each step renders into a byte counter, and only the kept events cost JSON:
     *
     * <ol>
     *   <li>first guess: keep {@code limit / MAX_EVENT_BYTES_GUESS} events, or all when fewer;
     *   <li>from each measured (skip, size), the bytes per kept event give the next guess, aimed at
     *       97% of the limit and kept strictly between the largest skip known too small and the
     *       smallest known to fit (their midpoint when the estimate falls outside; none left out
     *       when the estimate says all fit and nothing was found too large);
     *   <li>it stops at a fit of at least 90% of the limit, when no skip lies between the two, or
     *       after 16 steps, with the smallest skip known to fit (all events, the empty trace, at
     *       worst).
     * </ol>
     *
     * Rejected: a binary search over all events (some 20 renderings of the whole window, seconds
     * for a 10 MiB recorder).
     */
    static long skipFor(long limit, long events, SizeOf size) throws IOException {
        long tooSmall = -1; // largest skip known not to fit
        long fits = events; // smallest skip known to fit (the empty trace is taken as fitting)
        long guess = Math.max(0, events - limit / MAX_EVENT_BYTES_GUESS); // step 1
        for (int step = 0; step < 16; step++) {
            long bytes = size.bytes(guess);
            if (bytes <= limit) {
                fits = guess;
                if (bytes >= limit / 10 * 9 || guess == 0) {
                    break; // step 3
                }
            } else {
                tooSmall = guess;
            }
            if (fits - tooSmall <= 1) {
                break;
            }
            long kept = Math.max(1, events - guess); // step 2
            long next = events - (long) (limit * 0.97 / ((double) bytes / kept));
            if (next <= tooSmall && tooSmall < 0) {
                guess = 0; // all of it may fit: try it
            } else {
                guess = next > tooSmall && next < fits ? next : tooSmall + (fits - tooSmall) / 2;
            }
        }
        return fits;
    }

    /**
     * Renders the events from time {@code from} on but the oldest {@code skip} of them to {@code
     * to}, or to a byte counter when it is null; returns the bytes.
     */
    private long render(
            List<TraceBuffer.Reader> snapshot,
            long from,
            long skip,
            long events,
            long dropped,
            long words,
            long end,
            OutputStream to)
            throws IOException {
        CountingStream counted = new CountingStream(to);
        // Each buffer's events are in time order already: merge them, ties in buffer order.
        java.util.PriorityQueue<TraceBuffer.Reader> heads = new java.util.PriorityQueue<>(
                (p, q) -> p.time != q.time ? Long.compare(p.time, q.time) : Integer.compare(p.b.index, q.b.index));
        for (TraceBuffer.Reader s : snapshot) {
            TraceBuffer.Reader rd = s.again();
            if (rd.next()) {
                heads.add(rd);
            }
        }
        TraceRenderer r = new TraceRenderer(runtimeNames, counted);
        r.begin(events - skip, dropped, words);
        long i = 0;
        while (!heads.isEmpty()) {
            TraceBuffer.Reader rd = heads.poll();
            if (rd.time >= from && i++ >= skip) {
                r.event(rd.time, rd.kind, rd.rt, rd.b.index, rd.x, rd.y, rd.z);
            }
            if (rd.next()) {
                heads.add(rd);
            }
        }
        r.end(end);
        return counted.count;
    }

    /** Counts the bytes written through it; writes them on only when it has a target. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream target;
        long count;

        CountingStream(OutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            count++;
            if (target != null) {
                target.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count += len;
            if (target != null) {
                target.write(b, off, len);
            }
        }
    }
}
