package dev.jgo.profiler.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * One writer's trace events, encoded compactly: the storage of {@link Tracer}.
 *
 * <h2>Design note: event encoding</h2>
 *
 * A buffer belongs either to one P of one runtime (a "P buffer", written by whichever M holds
 * the P) or to one thread (a "thread buffer", for events outside any P). Buffers are arrays of
 * {@code int}. In a P buffer the runtime and the P are implied, times are deltas from the
 * buffer's previous event and goroutine ids deltas from its previous goroutine event, so most
 * events fit one int (a "short" event):
 *
 * <pre>
 *   short, 1 int:   bit 31 = 0
 *     bits 26-30  aux + 1   (5 bits: aux -1..30)  an M id, a wait reason, a victim P
 *     bits 17-25  small     (9 bits, signed)      the goroutine id delta, or a steal's count
 *     bits 4-16   dt        (13 bits: up to 8 us) ns since the buffer's previous event
 *     bits 0-3    kind
 *   medium, 2 ints: bits 31-29 = 100
 *     bits 15-28  small     (14 bits, signed)
 *     bits 4-14   aux + 1   (11 bits: aux -1..2046)
 *     bits 0-3    kind;     then dt as an unsigned int (up to 4.29 s)
 *   wide, 3 ints:   bits 31-29 = 101, aux + 1 and kind as medium; then dt, then small as a
 *                   signed int (a goroutine started long after it was created is far from
 *                   the ids around it)
 *   long, 9 ints:   bits 31-30 = 11, bits 4-11 the runtime, bits 0-3 the kind; then the time
 *                   (ns since the trace started), x, y and z, each as two ints
 * </pre>
 *
 * A goroutine's create carries no parent: it is the goroutine running on the P (the last one
 * started and not yet parked, yielded, exited or gone into a syscall), which writer and reader
 * both track. The writer picks the smallest form that gives the reader back exactly the
 * listener's values; every event of a thread buffer is long.
 *
 * <h2>Design note: chunks and rings</h2>
 *
 * A buffer is a list of chunks of {@code int}; an event never spans two. A tracer's buffer keeps
 * every chunk up to {@link #MAX_CHUNKS} and then drops later events. A flight recorder's buffer
 * (one with a {@link TraceRetention}) is a ring: the oldest chunks are dropped as the recorder's
 * age and size bounds say, so a reader may start at any retained chunk. For that each of its
 * chunks opens with a {@link #SYNC} record, a long event that carries the encoding state the
 * short events lean on (the previous event's time, the last goroutine id, the goroutine running
 * on the P) and that the reader applies instead of giving it out as an event. A tracer's chunks
 * need none: they are read from the first.
 *
 * <p>Why so small: with the tracer on, skynet's cost was found to come from the memory the
 * buffers fill rather than from the instructions that fill them. Measured (steady state, see
 * {@code docs/profiling.md}): with every event encoded but written into a small ring the
 * overhead fell from ~36% to ~16%, and reusing the chunks across traces (no allocation, no
 * zeroing) did not help. Each byte less per event is cache and memory bandwidth the scheduler
 * keeps.
 *
 * <h2>Concurrency</h2>
 *
 * One writer at a time: a thread buffer's thread, or the M holding the buffer's P (the P's
 * hand-off between Ms orders one writer's stores before the next's). The writer appends ints,
 * then publishes the count of its chunk with a release store; the reader ({@link Reader}, at
 * {@code Trace.stop} or a flight recorder's {@code writeTo}) reads each count with an acquire
 * load and only the ints below it. Chunks are never moved or reused. A full tracer's buffer
 * drops every later event and counts them.
 */
final class TraceBuffer {
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
    /** Opens a ring buffer's chunk (see "chunks and rings"): t, last goroutine id, running goroutine. */
    static final int SYNC = 13;

    static final int CHUNK_INTS = 1 << 15;
    /** Chunk size of a flight recorder's buffers: small, so the ring drops little at a time. */
    static final int RING_CHUNK_INTS = 1 << 12;
    /** Chunks per buffer: 2^24 ints (64 MiB); later events are dropped and counted. */
    static final int MAX_CHUNKS = 512;

    static final int KIND_BITS = 4;
    static final int KIND_MASK = (1 << KIND_BITS) - 1;
    static final int NOT_SHORT = 1 << 31;
    static final int LONG_BIT = 1 << 30;
    static final int WIDE_BIT = 1 << 29;
    static final int MEDIUM_INTS = 2;
    static final int WIDE_INTS = 3;
    static final int LONG_INTS = 9;

    // short
    static final int S_DT_SHIFT = KIND_BITS;
    static final int S_DT_BITS = 13;
    static final long S_DT_MAX = (1L << S_DT_BITS) - 1;
    static final int S_SMALL_SHIFT = S_DT_SHIFT + S_DT_BITS;
    static final int S_SMALL_BITS = 9;
    static final int S_AUX_SHIFT = S_SMALL_SHIFT + S_SMALL_BITS;
    static final long S_AUX_MAX = (1L << (31 - S_AUX_SHIFT)) - 2;

    // medium
    static final int M_AUX_SHIFT = KIND_BITS;
    static final int M_AUX_BITS = 11;
    static final long M_AUX_MAX = (1L << M_AUX_BITS) - 2;
    static final int M_SMALL_SHIFT = M_AUX_SHIFT + M_AUX_BITS;
    static final int M_SMALL_BITS = 14;
    static final long M_DT_MAX = 0xFFFF_FFFFL;

    // long
    static final int RT_SHIFT = KIND_BITS;
    static final int RT_MASK = 0xFF;

    /** Whether {@code v} fits a signed field of {@code bits} bits. */
    private static boolean fits(long v, int bits) {
        return v >= -(1L << (bits - 1)) && v < (1L << (bits - 1));
    }

    /** The signed field of {@code bits} bits at {@code shift} in {@code w}. */
    private static long signed(int w, int shift, int bits) {
        return (w << (32 - shift - bits)) >> (32 - bits);
    }

    private static final VarHandle N;
    private static final VarHandle DROPPED;

    static {
        try {
            N = MethodHandles.lookup().findVarHandle(Chunk.class, "n", int.class);
            DROPPED = MethodHandles.lookup().findVarHandle(Chunk.class, "dropped", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A run of events. Its writer appends ints, then publishes their count {@code n} with a
     * release store; readers acquire-load it and read only the ints below it, which never change
     * after.
     */
    static final class Chunk {
        final int[] data;
        /** The time (ns since the trace started) the deltas of its first event count from. */
        final long start;

        @SuppressWarnings("unused")
        private int n;

        /** Set once, by whoever drops the chunk from its ring ({@link #tryDrop}). */
        @SuppressWarnings("unused")
        private boolean dropped;

        Chunk(int ints, long start) {
            this.data = new int[ints];
            this.start = start;
        }

        /** Ints published. Concurrency: any thread. */
        int published() {
            return (int) N.getAcquire(this); // acquire: pairs with the writer's setRelease
        }

        /** Bytes of memory the chunk holds. */
        long bytes() {
            return (long) data.length * Integer.BYTES;
        }

        /** Whether this call dropped the chunk (true once). Concurrency: any thread. */
        boolean tryDrop() {
            return DROPPED.compareAndSet(this, false, true); // one dropper accounts for it
        }
    }

    /** Order of creation in the trace; the renderer keys a buffer's M on it. */
    final int index;
    /** The runtime of a P buffer's events; unused for a thread buffer. */
    final int rt;
    /** The P of a P buffer, -1 for a thread buffer (long events only). */
    final int pid;

    /** The chunks kept, oldest first: appended by the writer, dropped from the front by a ring. */
    final java.util.concurrent.ConcurrentLinkedDeque<Chunk> chunks = new java.util.concurrent.ConcurrentLinkedDeque<>();
    /** The ring's retention, or null for a tracer's buffer (see "chunks and rings"). */
    private final TraceRetention ring;

    private final int chunkInts;

    // ---- the writer's (see "Concurrency") ----
    private Chunk curChunk;
    private int[] cur;
    private int pos;
    private int nchunks;
    /** Events dropped because the buffer was full (read racily at stop). */
    long dropped;
    /** Time of the last event (ns since the trace started); valid once {@link #clocked}. */
    long lastTime;
    /** Whether any event has been written (so {@link #lastTime} is a real time). */
    boolean clocked;
    /** Goroutine id of the last goroutine event. */
    long lastGoid;
    /** The goroutine running on the P, 0 for none (see "event encoding"). */
    long curG;
    /** Whether the last event ended a goroutine's run (park, yield, exit): see "clock reads" in {@link Tracer}. */
    boolean ended;

    TraceBuffer(int index, int rt, int pid) {
        this(index, rt, pid, null);
    }

    /** A buffer that is a ring kept by {@code ring}, or a tracer's buffer when it is null. */
    TraceBuffer(int index, int rt, int pid, TraceRetention ring) {
        this.index = index;
        this.rt = rt;
        this.pid = pid;
        this.ring = ring;
        this.chunkInts = ring != null ? RING_CHUNK_INTS : CHUNK_INTS;
        this.pos = chunkInts;
    }

    /**
     * Appends an event of runtime {@code rt} at {@code t} (not before {@link #lastTime}), with
     * x, y, z as the listener got them (their meaning per kind is in {@link Reader#next}). It is
     * short when the reader can give back exactly these values, long otherwise.
     */
    void event(int rt, int kind, long t, long x, long y, long z) {
        long small;
        long aux;
        boolean implied; // the values a short event leaves out are the ones the reader infers
        switch (kind) {
            case GO_CREATE -> {
                small = x - lastGoid;
                aux = 0;
                implied = y == curG && z == pid;
            }
            case GO_START, GO_PARK -> {
                small = x - lastGoid;
                aux = z;
                implied = y == pid;
            }
            case PROC_START, PROC_STOP -> {
                small = 0;
                aux = y;
                implied = x == pid && z == 0;
            }
            case STEAL -> {
                small = z;
                aux = y;
                implied = x == pid;
            }
            case SPIN_START, SPIN_STOP -> {
                small = 0;
                aux = x;
                implied = y == pid && z == 0;
            }
            default -> { // unpark, yield, syscall enter/exit, exit
                small = x - lastGoid;
                aux = 0;
                implied = y == pid && z == 0;
            }
        }
        long dt = t - lastTime;
        if (!implied || pid < 0 || rt != this.rt) {
            addLong(NOT_SHORT | LONG_BIT | rt << RT_SHIFT | kind, t, x, y, z);
        } else if (dt <= S_DT_MAX && fits(small, S_SMALL_BITS) && aux >= -1 && aux <= S_AUX_MAX) {
            add1(kind
                    | (int) dt << S_DT_SHIFT
                    | ((int) small & ((1 << S_SMALL_BITS) - 1)) << S_SMALL_SHIFT
                    | (int) (aux + 1) << S_AUX_SHIFT);
        } else if (dt <= M_DT_MAX && fits(small, 32) && aux >= -1 && aux <= M_AUX_MAX) {
            int head = NOT_SHORT | kind | (int) (aux + 1) << M_AUX_SHIFT;
            if (fits(small, M_SMALL_BITS)) {
                add2(head | ((int) small & ((1 << M_SMALL_BITS) - 1)) << M_SMALL_SHIFT, (int) dt);
            } else {
                add3(head | WIDE_BIT, (int) dt, (int) small);
            }
        } else {
            addLong(NOT_SHORT | LONG_BIT | rt << RT_SHIFT | kind, t, x, y, z);
        }
        lastTime = t;
        clocked = true;
        if (kind <= GO_EXIT) {
            lastGoid = x;
        }
        curG = runningAfter(kind, x, curG);
        ended = kind == GO_PARK || kind == GO_YIELD || kind == GO_EXIT;
    }

    /**
     * The fast path of {@link #event} for a goroutine event of a P buffer whose P and runtime the
     * caller passes implied (its P is this buffer's, its runtime the buffer's): writes the short
     * form when it fits the current chunk and returns true, else writes nothing and returns false
     * (the caller then calls {@link #event}, which picks the form). {@code running} and {@code
     * endsRun} are the encoding state after the event ({@link #runningAfter} and {@link #ended}),
     * constants at each call site, so the whole path is a few compares and two stores: no switch,
     * no clock read, no allocation (see "per-event path" in {@link Tracer}).
     *
     * <p>Precondition: {@code pid >= 0}, {@code t >= lastTime}, {@code kind <= GO_EXIT} with x
     * the goroutine id, y the P and z = {@code aux} as {@link #event} encodes them.
     */
    boolean shortGo(int kind, long t, long goid, long aux, long running, boolean endsRun) {
        assert pid >= 0 && t >= lastTime && kind <= GO_EXIT : "short goroutine event on a P buffer";
        long dt = t - lastTime;
        long small = goid - lastGoid;
        int p = pos;
        if (dt > S_DT_MAX
                || small < -(1L << (S_SMALL_BITS - 1))
                || small >= 1L << (S_SMALL_BITS - 1)
                || aux < -1
                || aux > S_AUX_MAX
                || p >= chunkInts) {
            return false;
        }
        cur[p] = kind
                | (int) dt << S_DT_SHIFT
                | ((int) small & ((1 << S_SMALL_BITS) - 1)) << S_SMALL_SHIFT
                | (int) (aux + 1) << S_AUX_SHIFT;
        pos = p + 1;
        N.setRelease(curChunk, p + 1); // release: pairs with Chunk.published()
        lastTime = t;
        clocked = true;
        lastGoid = goid;
        curG = running;
        ended = endsRun;
        return true;
    }

    /** Room for {@code ints} more in the current chunk, or false when the buffer is full. */
    private boolean room(int ints) {
        if (pos + ints <= chunkInts) {
            return true;
        }
        if (ring == null && nchunks == MAX_CHUNKS) {
            dropped++;
            return false;
        }
        Chunk c = new Chunk(chunkInts, lastTime);
        curChunk = c;
        cur = c.data;
        pos = 0;
        nchunks++;
        if (ring != null) { // see "chunks and rings"
            addLong(NOT_SHORT | LONG_BIT | rt << RT_SHIFT | SYNC, lastTime, lastGoid, curG, 0);
        }
        chunks.addLast(c); // the deque publishes the chunk to readers
        if (ring != null) {
            ring.added(this, c);
        }
        return true;
    }

    private void add1(int w) {
        if (room(1)) {
            int p = pos;
            cur[p] = w;
            pos = p + 1;
            N.setRelease(curChunk, p + 1); // release: pairs with Chunk.published()
        }
    }

    private void add2(int w0, int w1) {
        if (room(MEDIUM_INTS)) {
            int[] c = cur;
            int p = pos;
            c[p] = w0;
            c[p + 1] = w1;
            pos = p + MEDIUM_INTS;
            N.setRelease(curChunk, p + MEDIUM_INTS);
        }
    }

    private void add3(int w0, int w1, int w2) {
        if (room(WIDE_INTS)) {
            int[] c = cur;
            int p = pos;
            c[p] = w0;
            c[p + 1] = w1;
            c[p + 2] = w2;
            pos = p + WIDE_INTS;
            N.setRelease(curChunk, p + WIDE_INTS);
        }
    }

    private void addLong(int head, long t, long x, long y, long z) {
        if (pos + LONG_INTS <= chunkInts || room(LONG_INTS)) { // a new chunk's SYNC fits as it is
            int[] c = cur;
            int p = pos;
            c[p] = head;
            c[p + 1] = (int) (t >>> 32);
            c[p + 2] = (int) t;
            c[p + 3] = (int) (x >>> 32);
            c[p + 4] = (int) x;
            c[p + 5] = (int) (y >>> 32);
            c[p + 6] = (int) y;
            c[p + 7] = (int) (z >>> 32);
            c[p + 8] = (int) z;
            pos = p + LONG_INTS;
            N.setRelease(curChunk, p + LONG_INTS);
        }
    }

    /** Ints visible to a reader, in the chunks kept. Concurrency: any thread. */
    int published() {
        int n = 0;
        for (Chunk c : chunks) {
            n += c.published();
        }
        return n;
    }

    /**
     * Decodes a buffer's published events in order, giving each the listener's values back:
     * x, y, z as {@code SchedEvents} passed them (see {@link Tracer}'s listener). Single-threaded.
     */
    static final class Reader {
        final TraceBuffer b;
        /** The chunks read, and the ints published in each when the reader was made. */
        private final int[][] datas;

        private final int[] lens;
        private int ci;
        private int at;
        private long lastTime;
        private long lastGoid;
        private long curG;

        // the current event
        long time;
        int kind;
        int rt;
        long x;
        long y;
        long z;

        Reader(TraceBuffer b) {
            this.b = b;
            List<Chunk> cs = new ArrayList<>(b.chunks); // a chunk dropped meanwhile is still whole
            datas = new int[cs.size()][];
            lens = new int[cs.size()];
            for (int i = 0; i < cs.size(); i++) {
                datas[i] = cs.get(i).data;
                lens[i] = cs.get(i).published();
            }
        }

        /** A reader of the same chunks and counts, from the first event. */
        Reader again() {
            return new Reader(this);
        }

        private Reader(Reader o) {
            this.b = o.b;
            this.datas = o.datas;
            this.lens = o.lens;
        }

        /** The number of events from time {@code from} on, decoded by a reader of the same chunks. */
        long countFrom(long from) {
            Reader rd = again();
            long c = 0;
            while (rd.next()) {
                if (rd.time >= from) {
                    c++;
                }
            }
            return c;
        }

        /** The time of the last event this reader gives, 0 if none. */
        long newestTime() {
            Reader rd = again();
            long t = 0;
            while (rd.next()) {
                t = rd.time;
            }
            return t;
        }

        /** Ints this reader reads. */
        long words() {
            long w = 0;
            for (int n : lens) {
                w += n;
            }
            return w;
        }

        /** The number of events this reader will give, counted without decoding them. */
        long count() {
            long c = 0;
            for (int j = 0; j < datas.length; j++) {
                int[] d = datas[j];
                for (int i = 0; i < lens[j]; ) {
                    int w = d[i];
                    i += size(w);
                    if (!(w < 0 && (w & LONG_BIT) != 0 && (w & KIND_MASK) == SYNC)) {
                        c++;
                    }
                }
            }
            return c;
        }

        /** Ints in the event that starts with {@code w}. */
        private static int size(int w) {
            return w >= 0 ? 1 : (w & LONG_BIT) != 0 ? LONG_INTS : (w & WIDE_BIT) != 0 ? WIDE_INTS : MEDIUM_INTS;
        }

        private static long longAt(int[] d, int at) {
            return (long) d[at] << 32 | (d[at + 1] & 0xFFFF_FFFFL);
        }

        /** Moves to the next event; false at the end. */
        boolean next() {
            while (ci < datas.length) {
                if (at >= lens[ci]) {
                    ci++;
                    at = 0;
                    continue;
                }
                int[] d = datas[ci];
                int w = d[at];
                int k = w & KIND_MASK;
                kind = k;
                if (w < 0 && (w & LONG_BIT) != 0) {
                    rt = (w >>> RT_SHIFT) & RT_MASK;
                    time = longAt(d, at + 1);
                    x = longAt(d, at + 3);
                    y = longAt(d, at + 5);
                    z = longAt(d, at + 7);
                    at += LONG_INTS;
                    if (k == SYNC) { // see "chunks and rings"
                        lastTime = time;
                        lastGoid = x;
                        curG = y;
                        continue;
                    }
                } else {
                    long dt;
                    long small;
                    long aux;
                    if (w >= 0) {
                        dt = (w >>> S_DT_SHIFT) & S_DT_MAX;
                        small = signed(w, S_SMALL_SHIFT, S_SMALL_BITS);
                        aux = ((w >>> S_AUX_SHIFT) & 0x1F) - 1;
                        at++;
                    } else {
                        aux = ((w >>> M_AUX_SHIFT) & ((1 << M_AUX_BITS) - 1)) - 1;
                        dt = d[at + 1] & M_DT_MAX;
                        if ((w & WIDE_BIT) != 0) {
                            small = d[at + 2];
                            at += WIDE_INTS;
                        } else {
                            small = signed(w, M_SMALL_SHIFT, M_SMALL_BITS);
                            at += MEDIUM_INTS;
                        }
                    }
                    rt = b.rt;
                    time = lastTime + dt;
                    implied(k, small, aux);
                }
                lastTime = time;
                if (kind <= GO_EXIT) {
                    lastGoid = x;
                }
                curG = runningAfter(kind, x, curG);
                return true;
            }
            return false;
        }

        /** x, y, z of a short or medium event: the writer's {@code event} in reverse. */
        private void implied(int k, long small, long aux) {
            int pid = b.pid;
            switch (k) {
                case GO_CREATE -> {
                    x = lastGoid + small;
                    y = curG;
                    z = pid;
                }
                case GO_START, GO_PARK -> {
                    x = lastGoid + small;
                    y = pid;
                    z = aux;
                }
                case PROC_START, PROC_STOP -> {
                    x = pid;
                    y = aux;
                    z = 0;
                }
                case STEAL -> {
                    x = pid;
                    y = aux;
                    z = small;
                }
                case SPIN_START, SPIN_STOP -> {
                    x = aux;
                    y = pid;
                    z = 0;
                }
                default -> { // unpark, yield, syscall enter/exit, exit
                    x = lastGoid + small;
                    y = pid;
                    z = 0;
                }
            }
        }
    }

    /** The goroutine running on a P after an event: the rule writer and reader share. */
    static long runningAfter(int kind, long x, long running) {
        return switch (kind) {
            case GO_START, GO_SYSCALL_EXIT -> x;
            case GO_PARK, GO_YIELD, GO_EXIT, GO_SYSCALL_ENTER, PROC_STOP -> 0;
            default -> running;
        };
    }
}
