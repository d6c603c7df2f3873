package dev.jgo.profiler.internal;

import dev.jgo.GoRuntime;
import dev.jgo.WaitReason;
import dev.jgo.spi.EventsControl;
import dev.jgo.spi.RuntimeRegistry;
import dev.jgo.spi.SchedEvents;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 *   <li>Each event appends three longs (see "event layout") to its thread's own buffer, found
 *       through a {@link ThreadLocal}: no lock, no shared write; the buffer publishes its event
 *       count with a release store. A full buffer (2^23 events) drops further events and
 *       counts them.
 *   <li>{@link #stop} detaches, reads each buffer's published count (later events are lost, as
 *       the listener contract allows), merges the buffers by time (each is in time order
 *       already) and streams the JSON to the output as it renders: per runtime one process
 *       of P tracks and one of M tracks; a complete slice per goroutine run on its P and its M
 *       (nested in the M's "P n" slice, from acquirep to releasep); instants for create, park
 *       (with the wait reason), unpark, yield, syscall, steal and spin; a flow arrow from each
 *       unpark or create to the goroutine's next start.
 * </ol>
 *
 * <h2>Design note: event layout and cost</h2>
 *
 * An event is three longs (24 bytes):
 *
 * <pre>
 *   w0: time (52 bits, ns since start) | runtime (8 bits) | kind (4 bits)
 *   w1: x (a goroutine id, or a P id for P and steal events)
 *   w2: (y + 1) (48 bits) | (z + 1) (16 bits)      y, z may be -1 (no P)
 * </pre>
 *
 * The cost of an event is dominated by its clock read: {@code System.nanoTime()} is about 20-25
 * ns on bare metal and was about 90 ns on the 2-core VM where jgo is measured, against about 20
 * ns for the (out-of-line, see {@code InlineGuard}) {@code ThreadLocal} lookup and 10-15 ns for
 * the stores. Measured there, the earlier layout (four longs, a clock read per event) cost
 * 150-250 ns per event on one thread. So:
 *
 * <ol>
 *   <li>a goroutine's create event takes no clock read: it carries the time of the previous
 *       event of the same thread (the creator's start, or its previous create), so the GoCreate
 *       instant and its flow start at or just before the real {@code go} statement; in a
 *       spawn-heavy workload this saves a third of the clock reads;
 *   <li>every other event reads the clock, since it opens or closes a slice;
 *   <li>three words instead of four cut the memory written by a quarter.
 * </ol>
 *
 * Rejected: a coarse clock ticked by a helper thread (a sleeping thread wakes every 50-100 us
 * at best, too coarse for goroutine runs of a few microseconds, and a spinning one takes a CPU);
 * interpolating times between sparse clock reads (a long run between two events would be
 * spread over its neighbours).
 *
 * Events without an M (an unpark from a thread outside the runtime) go to an "external" track
 * of the P process. The M of events that carry none (park, yield, exit, syscall) is the M that
 * last started a P or a goroutine on the recording thread. An M that took its P before the trace
 * started (no P start event) gets a "P n" slice from the start of the trace.
 */
final class Tracer {
    static final int GO_CREATE = 0;
    static final int GO_START = 1;
    static final int GO_PARK = 2;
    static final int GO_UNPARK = 3;
    static final int GO_YIELD = 4;
    static final int GO_SYSCALL_ENTER = 5;
    static final int GO_SYSCALL_EXIT = 6;
    static final int GO_EXIT = 7;
    static final int PROC_START = 8;
    static final int PROC_STOP = 9;
    static final int STEAL = 10;
    static final int SPIN_START = 11;
    static final int SPIN_STOP = 12;

    private static final int WORDS = 3;
    private static final int CHUNK_EVENTS = 1 << 14;
    private static final int CHUNK_WORDS = CHUNK_EVENTS * WORDS;
    /** Chunks per recording thread: 2^23 events (24 bytes each); later ones are dropped and counted. */
    private static final int MAX_CHUNKS = 512;

    // w0 layout (see "event layout and cost")
    static final int KIND_BITS = 4;
    static final long KIND_MASK = (1L << KIND_BITS) - 1;
    static final int RT_SHIFT = KIND_BITS;
    static final long RT_MASK = 0xFF;
    static final int TIME_SHIFT = RT_SHIFT + 8;
    /** Runtimes traced at once: the runtime index has 8 bits. */
    static final int MAX_RUNTIMES = 256;

    // w2 layout
    static final int Y_SHIFT = 16;
    static final long Z_MASK = 0xFFFF;

    static long packW0(long time, int rt, int kind) {
        return (time << TIME_SHIFT) | ((long) rt << RT_SHIFT) | kind;
    }

    static long time(long w0) {
        return w0 >>> TIME_SHIFT;
    }

    static int rt(long w0) {
        return (int) ((w0 >>> RT_SHIFT) & RT_MASK);
    }

    static int kind(long w0) {
        return (int) (w0 & KIND_MASK);
    }

    static long packW2(long y, long z) {
        return ((y + 1) << Y_SHIFT) | ((z + 1) & Z_MASK);
    }

    static long y(long w2) {
        return (w2 >>> Y_SHIFT) - 1;
    }

    static long z(long w2) {
        return (w2 & Z_MASK) - 1;
    }

    private static final WaitReason[] REASONS = WaitReason.values();
    private static final VarHandle N;

    static {
        try {
            N = MethodHandles.lookup().findVarHandle(Buf.class, "n", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * One thread's events: three words each (see "event layout and cost") in fixed chunks that
     * are never moved. Single writer: the owning thread writes an
     * event, then publishes the count with a release store; {@link #stop} reads the count with
     * an acquire load and only the events below it.
     */
    private static final class Buf {
        final int index;
        /**
         * Fixed size, never reallocated, so the reader never sees a half-copied table. Chunks are
         * direct (off-heap) buffers: a trace holds millions of events alive, and on-heap arrays
         * would be copied by every young collection while it runs.
         */
        final java.nio.LongBuffer[] chunks = new java.nio.LongBuffer[MAX_CHUNKS];

        // ---- owner thread only ----
        private java.nio.LongBuffer cur;
        private int pos = CHUNK_WORDS;
        private int nchunks;
        /** Events dropped because the buffer was full (owner-written, read racily at stop). */
        long dropped;
        /** Time of this thread's last event, -1 before the first. */
        long lastTime = -1;

        /** Events published: release-stored by the owner, acquire-loaded by stop. */
        @SuppressWarnings("unused")
        private int n;

        Buf(int index) {
            this.index = index;
        }

        /** Concurrency: the owning thread only. */
        void add(long w0, long x, long w2) {
            if (pos == CHUNK_WORDS) {
                if (nchunks == MAX_CHUNKS) {
                    dropped++;
                    return;
                }
                cur = java.nio.ByteBuffer.allocateDirect(CHUNK_WORDS * Long.BYTES)
                        .order(java.nio.ByteOrder.nativeOrder())
                        .asLongBuffer();
                chunks[nchunks++] = cur; // published by the release store of n below
                pos = 0;
            }
            java.nio.LongBuffer c = cur;
            int p = pos;
            c.put(p, w0);
            c.put(p + 1, x);
            c.put(p + 2, w2);
            pos = p + WORDS;
            N.setRelease(this, (int) N.get(this) + 1); // release: pairs with published()
        }

        /** Events visible to a reader. Concurrency: any thread. */
        int published() {
            return (int) N.getAcquire(this); // acquire: pairs with add's release
        }

        long word(int event, int w) {
            int at = event * WORDS + w;
            return chunks[at / CHUNK_WORDS].get(at % CHUNK_WORDS);
        }
    }

    private final OutputStream out;
    private final long t0 = System.nanoTime();
    private final ConcurrentLinkedQueue<Buf> bufs = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger nbufs = new java.util.concurrent.atomic.AtomicInteger();
    private final ThreadLocal<Buf> local = ThreadLocal.withInitial(() -> {
        Buf b = new Buf(nbufs.getAndIncrement());
        bufs.add(b);
        return b;
    });
    /** Runtime -> its listener; the runtime index is the order of attachment. */
    private final Map<GoRuntime, Listener> attached = new ConcurrentHashMap<>();

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

    /** Appends one event with a clock read. Concurrency: any thread, into its own buffer. */
    private void record(int rt, int kind, long x, long y, long z) {
        Buf b = local.get();
        long t = System.nanoTime() - t0;
        b.lastTime = t;
        b.add(packW0(t, rt, kind), x, packW2(y, z));
    }

    /** Appends one event at the time of this thread's previous one (step 1 of "event layout and cost"). */
    private void recordUntimed(int rt, int kind, long x, long y, long z) {
        Buf b = local.get();
        long t = b.lastTime;
        if (t < 0) {
            t = System.nanoTime() - t0;
            b.lastTime = t;
        }
        b.add(packW0(t, rt, kind), x, packW2(y, z));
    }

    /** The listener of one runtime. */
    private final class Listener implements SchedEvents {
        private final int rt;

        Listener(int rt) {
            this.rt = rt;
        }

        @Override
        public void goCreate(long goid, long parentGoid, int pid) {
            recordUntimed(rt, GO_CREATE, goid, parentGoid, pid);
        }

        @Override
        public void goStart(long goid, int pid, int mid) {
            record(rt, GO_START, goid, pid, mid);
        }

        @Override
        public void goPark(long goid, WaitReason reason, int pid) {
            record(rt, GO_PARK, goid, pid, reason.ordinal());
        }

        @Override
        public void goUnpark(long goid, int pid) {
            record(rt, GO_UNPARK, goid, pid, 0);
        }

        @Override
        public void goYield(long goid, int pid) {
            record(rt, GO_YIELD, goid, pid, 0);
        }

        @Override
        public void goSyscall(long goid, boolean enter, int pid) {
            record(rt, enter ? GO_SYSCALL_ENTER : GO_SYSCALL_EXIT, goid, pid, 0);
        }

        @Override
        public void goExit(long goid, int pid) {
            record(rt, GO_EXIT, goid, pid, 0);
        }

        @Override
        public void procStart(int pid, int mid) {
            record(rt, PROC_START, pid, mid, 0);
        }

        @Override
        public void procStop(int pid, int mid) {
            record(rt, PROC_STOP, pid, mid, 0);
        }

        @Override
        public void steal(int thiefPid, int victimPid, int count) {
            record(rt, STEAL, thiefPid, victimPid, count);
        }

        @Override
        public void spin(int mid, boolean start) {
            record(rt, start ? SPIN_START : SPIN_STOP, mid, 0, 0);
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
        List<Buf> all = new ArrayList<>(bufs);
        int[] count = new int[all.size()];
        long dropped = 0;
        long events = 0;
        for (int b = 0; b < all.size(); b++) {
            count[b] = all.get(b).published();
            events += count[b];
            dropped += all.get(b).dropped;
        }
        // Each thread's events are in time order already: merge them, ties in buffer order.
        int[] next = new int[all.size()];
        java.util.PriorityQueue<Integer> heads = new java.util.PriorityQueue<>((p, q) -> {
            long tp = time(all.get(p).word(next[p], 0));
            long tq = time(all.get(q).word(next[q], 0));
            return tp != tq ? Long.compare(tp, tq) : Integer.compare(p, q);
        });
        for (int b = 0; b < all.size(); b++) {
            if (count[b] > 0) {
                heads.add(b);
            }
        }
        Renderer r = new Renderer(runtimeNames, out);
        try {
            r.begin(events, dropped);
            while (!heads.isEmpty()) {
                int b = heads.poll();
                Buf buf = all.get(b);
                int e = next[b];
                long w0 = buf.word(e, 0);
                long w2 = buf.word(e, 2);
                r.event(time(w0), kind(w0), rt(w0), buf.index, buf.word(e, 1), y(w2), z(w2));
                if (++next[b] < count[b]) {
                    heads.add(b);
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

        void begin(long events, long dropped) throws IOException {
            sb.append("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"jgo\",\"events\":")
                    .append(events)
                    .append(",\"droppedEvents\":")
                    .append(dropped)
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
