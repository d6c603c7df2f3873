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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
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
 */
final class Tracer {
    /** Runtimes traced at once: a long event's runtime index has 8 bits. */
    static final int MAX_RUNTIMES = 256;

    private static final WaitReason[] REASONS = WaitReason.values();

    private final OutputStream out;
    private final long t0 = System.nanoTime();
    /** Every buffer, P buffers and thread buffers; registered when created. */
    private final ConcurrentLinkedQueue<TraceBuffer> bufs = new ConcurrentLinkedQueue<>();

    private final java.util.concurrent.atomic.AtomicInteger nbufs = new java.util.concurrent.atomic.AtomicInteger();
    /** Per recording thread: its buffer for events outside any P. */
    private final ThreadLocal<TraceBuffer> local = ThreadLocal.withInitial(() -> newBuf(0, -1));
    /** Runtime -> its listener; the runtime index is the order of attachment. */
    private final Map<GoRuntime, Listener> attached = new ConcurrentHashMap<>();

    private TraceBuffer newBuf(int rt, int pid) {
        TraceBuffer b = new TraceBuffer(nbufs.getAndIncrement(), rt, pid);
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
            Listener l = attached.get(rt);
            if (l != null && rt instanceof EventsControl ec) {
                ec.detachEvents(l);
            }
        }
    };

    Tracer(OutputStream out) {
        this.out = out;
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
            b.event(rt, GO_CREATE, untimed(b), goid, parentGoid, pid);
        }

        @Override
        public void goStart(long goid, int pid, int mid) {
            TraceBuffer b = buf(pid);
            long t = b.ended ? b.lastTime : now(b); // see "clock reads"
            b.event(rt, GO_START, t, goid, pid, mid);
        }

        @Override
        public void goPark(long goid, WaitReason reason, int pid) {
            timed(buf(pid), GO_PARK, goid, pid, reason.ordinal());
        }

        @Override
        public void goUnpark(long goid, int pid) {
            timed(buf(pid), GO_UNPARK, goid, pid, 0);
        }

        @Override
        public void goYield(long goid, int pid) {
            timed(buf(pid), GO_YIELD, goid, pid, 0);
        }

        @Override
        public void goSyscall(long goid, boolean enter, int pid) {
            timed(buf(pid), enter ? GO_SYSCALL_ENTER : GO_SYSCALL_EXIT, goid, pid, 0);
        }

        @Override
        public void goExit(long goid, int pid) {
            timed(buf(pid), GO_EXIT, goid, pid, 0);
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
     * Detaches, renders and writes the trace.
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
        long end = System.nanoTime() - t0;
        List<TraceBuffer.Reader> all = new ArrayList<>();
        long dropped = 0;
        long events = 0;
        long words = 0;
        for (TraceBuffer b : bufs) {
            TraceBuffer.Reader rd = new TraceBuffer.Reader(b); // reads the published word count
            dropped += b.dropped;
            events += rd.count();
            words += b.published(); // ints
            if (rd.next()) {
                all.add(rd);
            }
        }
        // Each buffer's events are in time order already: merge them, ties in buffer order.
        java.util.PriorityQueue<TraceBuffer.Reader> heads = new java.util.PriorityQueue<>(
                (p, q) -> p.time != q.time ? Long.compare(p.time, q.time) : Integer.compare(p.b.index, q.b.index));
        heads.addAll(all);
        Renderer r = new Renderer(runtimeNames, out);
        try {
            r.begin(events, dropped, words);
            while (!heads.isEmpty()) {
                TraceBuffer.Reader rd = heads.poll();
                r.event(rd.time, rd.kind, rd.rt, rd.b.index, rd.x, rd.y, rd.z);
                if (rd.next()) {
                    heads.add(rd);
                }
            }
            r.end(end);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing the execution trace failed", e);
        }
    }

    /** Turns merged events into trace-event JSON. Single-threaded. */
    private static final class Renderer {
        private final List<String> names;
        private final OutputStream out;
        private final StringBuilder sb = new StringBuilder(1 << 17);
        private boolean first = true;
        private long flowIds;
        /** Open goroutine slice per P / per M: key -> {goid, start}. */
        private final Map<Long, long[]> pSlice = new HashMap<>();

        private final Map<Long, long[]> mSlice = new HashMap<>();
        /** Open "P n" slice per M: key -> {pid, start}. */
        private final Map<Long, long[]> mProc = new HashMap<>();
        /** Pending flow per goroutine: key -> {flow id}. */
        private final Map<Long, Long> flows = new HashMap<>();
        /** M of each recording thread, per runtime: (rt, buf) key -> mid. */
        private final Map<Long, Integer> bufMid = new HashMap<>();

        /** Ms that have had a "P n" slice in this trace: (rt, mid) keys. */
        private final java.util.Set<Long> procSeen = new java.util.HashSet<>();

        private final java.util.Set<Long> mTracks = new java.util.HashSet<>();
        private final java.util.Set<Long> pTracks = new java.util.HashSet<>();

        Renderer(List<String> names, OutputStream out) {
            this.names = new ArrayList<>(names);
            this.out = out;
        }

        /** Writes out what has been rendered once it is large. */
        private void drain(boolean force) throws IOException {
            if (force || sb.length() >= 1 << 16) {
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                sb.setLength(0);
            }
        }

        private static long key(int rt, long id) {
            return ((long) rt << 40) ^ (id & 0xFF_FFFF_FFFFL);
        }

        static int pProcess(int rt) {
            return 2 * rt + 1;
        }

        static int mProcess(int rt) {
            return 2 * rt + 2;
        }

        private StringBuilder ev() {
            sb.append(first ? "\n" : ",\n");
            first = false;
            return sb;
        }

        /** Microseconds with three decimals, without String.format (millions of calls). */
        private static String us(long ns) {
            long frac = ns % 1000;
            String f = frac < 10 ? "00" + frac : frac < 100 ? "0" + frac : Long.toString(frac);
            return (ns / 1000) + "." + f;
        }

        private void slice(String name, int process, long tid, long start, long end, String args) {
            ev().append("{\"ph\":\"X\",\"name\":\"")
                    .append(name)
                    .append("\",\"cat\":\"sched\",\"pid\":")
                    .append(process)
                    .append(",\"tid\":")
                    .append(tid)
                    .append(",\"ts\":")
                    .append(us(start))
                    .append(",\"dur\":")
                    .append(us(Math.max(0, end - start)))
                    .append(",\"args\":{")
                    .append(args)
                    .append("}}");
        }

        private void instant(String name, int process, long tid, long ts, String args) {
            ev().append("{\"ph\":\"i\",\"s\":\"t\",\"name\":\"")
                    .append(name)
                    .append("\",\"cat\":\"sched\",\"pid\":")
                    .append(process)
                    .append(",\"tid\":")
                    .append(tid)
                    .append(",\"ts\":")
                    .append(us(ts))
                    .append(",\"args\":{")
                    .append(args)
                    .append("}}");
        }

        private void flow(String ph, long id, int process, long tid, long ts) {
            ev().append("{\"ph\":\"")
                    .append(ph)
                    .append("\",\"name\":\"unpark\",\"cat\":\"flow\",\"id\":")
                    .append(id)
                    .append(",\"pid\":")
                    .append(process)
                    .append(",\"tid\":")
                    .append(tid)
                    .append(",\"ts\":")
                    .append(us(ts));
            if (ph.equals("f")) {
                sb.append(",\"bp\":\"e\"");
            }
            sb.append('}');
        }

        private long pTid(int rt, long pid) {
            pTracks.add(key(rt, pid));
            return pid;
        }

        private long mTid(int rt, long mid) {
            mTracks.add(key(rt, mid));
            return mid;
        }

        private void openG(int rt, long goid, long pid, int mid, long ts) {
            if (pid >= 0) {
                closeGOnP(rt, pid, ts);
                pTid(rt, pid);
                pSlice.put(key(rt, pid), new long[] {goid, ts});
            }
            if (mid >= 0) {
                closeGOnM(rt, mid, ts);
                mTid(rt, mid);
                mSlice.put(key(rt, mid), new long[] {goid, ts});
            }
        }

        private void closeGOnP(int rt, long pid, long ts) {
            long[] s = pSlice.remove(key(rt, pid));
            if (s != null) {
                slice("G" + s[0], pProcess(rt), pid, s[1], ts, "\"goid\":" + s[0]);
            }
        }

        private void closeGOnM(int rt, long mid, long ts) {
            long[] s = mSlice.remove(key(rt, mid));
            if (s != null) {
                slice("G" + s[0], mProcess(rt), mid, s[1], ts, "\"goid\":" + s[0]);
            }
        }

        private void closeG(int rt, long pid, int mid, long ts) {
            if (pid >= 0) {
                closeGOnP(rt, pid, ts);
            }
            if (mid >= 0) {
                closeGOnM(rt, mid, ts);
            }
        }

        private void closeProc(int rt, long mid, long ts) {
            closeGOnM(rt, mid, ts);
            long[] s = mProc.remove(key(rt, mid));
            if (s != null) {
                slice("P" + s[0], mProcess(rt), mid, s[1], ts, "\"pid\":" + s[0]);
            }
        }

        /** The P track of {@code pid}, or the "external" track (-1) for events outside any P. */
        private long track(int rt, long pid) {
            return pid >= 0 ? pTid(rt, pid) : pTid(rt, -1);
        }

        private void flowStart(int rt, long goid, long pid, long ts) {
            long id = ++flowIds;
            flows.put(key(rt, goid), id);
            flow("s", id, pProcess(rt), track(rt, pid), ts);
        }

        void begin(long events, long dropped, long words) throws IOException {
            sb.append("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"jgo\",\"events\":")
                    .append(events)
                    .append(",\"droppedEvents\":")
                    .append(dropped)
                    .append(",\"bufferBytes\":")
                    .append(words * Integer.BYTES)
                    .append("},\"traceEvents\":[");
        }

        void event(long ts, int kind, int rt, int buf, long x, long y, long z) throws IOException {
            long bk = key(rt, buf);
            int m = bufMid.getOrDefault(bk, -1);
            switch (kind) {
                case GO_CREATE -> {
                    instant("GoCreate", pProcess(rt), track(rt, z), ts, "\"goid\":" + x + ",\"parent\":" + y);
                    flowStart(rt, x, z, ts);
                }
                case GO_START -> {
                    bufMid.put(bk, (int) z);
                    long mk = key(rt, z);
                    if (!mProc.containsKey(mk)) {
                        // an M that took its P before the trace started (no PROC_START seen):
                        // its "P n" slice starts with the trace, so its runs nest in it
                        mProc.put(mk, new long[] {y, procSeen.contains(mk) ? ts : 0});
                    }
                    procSeen.add(mk);
                    openG(rt, x, y, (int) z, ts);
                    Long f = flows.remove(key(rt, x));
                    if (f != null) {
                        flow("f", f, pProcess(rt), pTid(rt, y), ts);
                    }
                }
                case GO_PARK -> {
                    closeG(rt, y, m, ts);
                    String reason = z >= 0 && z < REASONS.length ? REASONS[(int) z].text() : "";
                    instant(
                            "GoPark",
                            pProcess(rt),
                            track(rt, y),
                            ts,
                            "\"goid\":" + x + ",\"reason\":\"" + reason + "\"");
                }
                case GO_UNPARK -> {
                    instant("GoUnpark", pProcess(rt), track(rt, y), ts, "\"goid\":" + x);
                    flowStart(rt, x, y, ts);
                }
                case GO_YIELD -> {
                    closeG(rt, y, m, ts);
                    instant("GoYield", pProcess(rt), track(rt, y), ts, "\"goid\":" + x);
                }
                case GO_SYSCALL_ENTER -> {
                    closeG(rt, y, m, ts);
                    instant("GoSysCall", pProcess(rt), track(rt, y), ts, "\"goid\":" + x);
                }
                case GO_SYSCALL_EXIT -> {
                    instant("GoSysExit", pProcess(rt), track(rt, y), ts, "\"goid\":" + x);
                    openG(rt, x, y, m, ts);
                }
                case GO_EXIT -> closeG(rt, y, m, ts);
                case PROC_START -> {
                    bufMid.put(bk, (int) y);
                    procSeen.add(key(rt, y));
                    closeProc(rt, y, ts);
                    mTid(rt, y);
                    pTid(rt, x);
                    mProc.put(key(rt, y), new long[] {x, ts});
                }
                case PROC_STOP -> {
                    closeGOnP(rt, x, ts);
                    long mk = key(rt, y);
                    if (!procSeen.contains(mk)) {
                        mProc.put(mk, new long[] {x, 0}); // held since before the trace
                        mTid(rt, y);
                    }
                    procSeen.add(mk);
                    closeProc(rt, y, ts);
                }
                case STEAL -> instant("Steal", pProcess(rt), pTid(rt, x), ts, "\"victim\":" + y + ",\"count\":" + z);
                case SPIN_START -> instant("SpinStart", mProcess(rt), mTid(rt, x), ts, "");
                case SPIN_STOP -> instant("SpinStop", mProcess(rt), mTid(rt, x), ts, "");
                default -> {}
            }
            drain(false);
        }

        void end(long end) throws IOException {
            // close what is still open at the end of the trace
            for (Map.Entry<Long, long[]> e : new ArrayList<>(pSlice.entrySet())) {
                int rt = (int) (e.getKey() >>> 40);
                closeGOnP(rt, e.getKey() & 0xFF_FFFF_FFFFL, end);
            }
            for (Long k : new ArrayList<>(mProc.keySet())) {
                closeProc((int) (k >>> 40), k & 0xFF_FFFF_FFFFL, end);
            }
            for (Long k : new ArrayList<>(mSlice.keySet())) {
                closeGOnM((int) (k >>> 40), k & 0xFF_FFFF_FFFFL, end);
            }
            metadata();
            sb.append("\n]}\n");
            drain(true);
        }

        private void metadata() {
            for (int rt = 0; rt < names.size(); rt++) {
                String n = names.get(rt).replace("\\", "\\\\").replace("\"", "\\\"");
                meta("process_name", pProcess(rt), 0, "\"name\":\"" + n + " Ps\"");
                meta("process_sort_index", pProcess(rt), 0, "\"sort_index\":" + pProcess(rt));
                meta("process_name", mProcess(rt), 0, "\"name\":\"" + n + " Ms\"");
                meta("process_sort_index", mProcess(rt), 0, "\"sort_index\":" + mProcess(rt));
            }
            for (long k : pTracks) {
                int rt = (int) (k >>> 40);
                long id = k & 0xFF_FFFF_FFFFL;
                if (id == 0xFF_FFFF_FFFFL) {
                    meta("thread_name", pProcess(rt), -1, "\"name\":\"external\"");
                } else {
                    meta("thread_name", pProcess(rt), id, "\"name\":\"P" + id + "\"");
                }
            }
            for (long k : mTracks) {
                int rt = (int) (k >>> 40);
                long id = k & 0xFF_FFFF_FFFFL;
                meta("thread_name", mProcess(rt), id, "\"name\":\"M" + id + "\"");
            }
        }

        private void meta(String name, int process, long tid, String args) {
            ev().append("{\"ph\":\"M\",\"name\":\"")
                    .append(name)
                    .append("\",\"pid\":")
                    .append(process)
                    .append(",\"tid\":")
                    .append(tid)
                    .append(",\"args\":{")
                    .append(args)
                    .append("}}");
        }
    }
}
