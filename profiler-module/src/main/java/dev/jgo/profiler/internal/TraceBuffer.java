package dev.jgo.profiler.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One writer's trace events, encoded compactly: the storage of {@link Tracer}.
 *
 * <h2>Design note: event encoding</h2>
 *
 * A buffer belongs either to one P of one runtime (a "P buffer", written by whichever M holds
 * the P) or to one thread (a "thread buffer", for events outside any P). In a P buffer the
 * runtime and the P are implied, and most events fit one word (a "short" event):
 *
 * <pre>
 *   bit 63      0 (1 marks a long event)
 *   bits 52-62  aux + 1     (11 bits: -1..2046) a M id, a wait reason, a victim P
 *   bits 30-51  small       (22 bits, signed) a goroutine id minus the buffer's previous one,
 *                           or a steal's count
 *   bits 4-29   dt          (26 bits, up to 67 ms) ns since the buffer's previous event
 *   bits 0-3    kind
 * </pre>
 *
 * A goroutine's create carries no parent: it is the goroutine running on the P (the last one
 * started and not yet parked, yielded, exited or gone into a syscall), which writer and reader
 * both track. Anything that does not fit (a long gap, a far goroutine id, a create whose parent
 * is not the running goroutine, and every event of a thread buffer) is a "long" event of five
 * words: {@code 1<<63 | rt<<4 | kind}, time, x, y, z. A word of kind {@link #PAD} fills the rest
 * of a chunk that a long event does not fit into.
 *
 * <p>In skynet this is 8 bytes per event instead of 24 (the earlier fixed three-word layout): the
 * memory a trace writes, and the caches it evicts, shrink threefold.
 *
 * <h2>Concurrency</h2>
 *
 * One writer at a time: a thread buffer's thread, or the M holding the buffer's P (the P's
 * hand-off between Ms orders one writer's stores before the next's). The writer appends words,
 * then publishes the word count with a release store; the reader ({@link Reader}, at {@code
 * Trace.stop}) reads the count with an acquire load and only the words below it. Chunks are
 * never moved. A full buffer drops every later event and counts them.
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
    /** Fills the rest of a chunk. */
    static final int PAD = 15;

    static final int CHUNK_WORDS = 1 << 14;
    /** Chunks per buffer: 2^23 words (64 MiB); later events are dropped and counted. */
    static final int MAX_CHUNKS = 512;

    static final long LONG_EVENT = 1L << 63;
    static final int LONG_WORDS = 5;
    static final int KIND_BITS = 4;
    static final long KIND_MASK = (1L << KIND_BITS) - 1;
    static final int DT_SHIFT = KIND_BITS;
    static final int DT_BITS = 26;
    static final long DT_MAX = (1L << DT_BITS) - 1;
    static final int SMALL_SHIFT = DT_SHIFT + DT_BITS;
    static final int SMALL_BITS = 22;
    static final long SMALL_MIN = -(1L << (SMALL_BITS - 1));
    static final long SMALL_MAX = (1L << (SMALL_BITS - 1)) - 1;
    static final long SMALL_MASK = (1L << SMALL_BITS) - 1;
    static final int AUX_SHIFT = SMALL_SHIFT + SMALL_BITS;
    static final long AUX_MAX = (1L << (63 - AUX_SHIFT)) - 2;

    static final int RT_SHIFT = KIND_BITS;
    static final long RT_MASK = 0xFF;

    private static final VarHandle N;

    static {
        try {
            N = MethodHandles.lookup().findVarHandle(TraceBuffer.class, "n", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Order of creation in the trace; the renderer keys a buffer's M on it. */
    final int index;
    /** The runtime of a P buffer's events; unused for a thread buffer. */
    final int rt;
    /** The P of a P buffer, -1 for a thread buffer (long events only). */
    final int pid;

    private final long[][] chunks = new long[MAX_CHUNKS][];

    // ---- the writer's (see "Concurrency") ----
    private long[] cur;
    private int pos = CHUNK_WORDS;
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

    /** Words published: release-stored by the writer, acquire-loaded by the reader. */
    @SuppressWarnings("unused")
    private int n;

    TraceBuffer(int index, int rt, int pid) {
        this.index = index;
        this.rt = rt;
        this.pid = pid;
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
        if (implied
                && pid >= 0
                && rt == this.rt
                && dt <= DT_MAX
                && small >= SMALL_MIN
                && small <= SMALL_MAX
                && aux >= -1
                && aux <= AUX_MAX) {
            add1(kind | dt << DT_SHIFT | (small & SMALL_MASK) << SMALL_SHIFT | (aux + 1) << AUX_SHIFT);
        } else {
            add5(LONG_EVENT | (long) rt << RT_SHIFT | kind, t, x, y, z);
        }
        lastTime = t;
        clocked = true;
        if (kind <= GO_EXIT) {
            lastGoid = x;
        }
        curG = runningAfter(kind, x, curG);
        ended = kind == GO_PARK || kind == GO_YIELD || kind == GO_EXIT;
    }

    /** Room for {@code words} more in the current chunk, or false when the buffer is full. */
    private boolean room(int words) {
        if (pos + words <= CHUNK_WORDS) {
            return true;
        }
        if (nchunks == MAX_CHUNKS) {
            dropped++;
            return false;
        }
        int published = (int) N.get(this);
        if (pos < CHUNK_WORDS && cur != null) {
            cur[pos] = PAD; // the reader skips to the next chunk
            published += CHUNK_WORDS - pos;
        }
        cur = new long[CHUNK_WORDS];
        chunks[nchunks++] = cur; // published by the release store of n below
        pos = 0;
        N.setRelease(this, published);
        return true;
    }

    private void add1(long w) {
        if (room(1)) {
            int p = pos;
            cur[p] = w;
            pos = p + 1;
            N.setRelease(this, (int) N.get(this) + 1); // release: pairs with published()
        }
    }

    private void add5(long w0, long w1, long w2, long w3, long w4) {
        if (room(LONG_WORDS)) {
            long[] c = cur;
            int p = pos;
            c[p] = w0;
            c[p + 1] = w1;
            c[p + 2] = w2;
            c[p + 3] = w3;
            c[p + 4] = w4;
            pos = p + LONG_WORDS;
            N.setRelease(this, (int) N.get(this) + LONG_WORDS);
        }
    }

    /** Words visible to a reader. Concurrency: any thread. */
    int published() {
        return (int) N.getAcquire(this); // acquire: pairs with the writer's release
    }

    long word(int at) {
        return chunks[at / CHUNK_WORDS][at % CHUNK_WORDS];
    }

    /**
     * Decodes a buffer's published events in order, giving each the listener's values back:
     * x, y, z as {@code SchedEvents} passed them (see {@link Tracer}'s listener). Single-threaded.
     */
    static final class Reader {
        final TraceBuffer b;
        private final int words;
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
            this.words = b.published();
        }

        /** The number of events this reader will give, counted without decoding them. */
        long count() {
            long c = 0;
            for (int i = 0; i < words; ) {
                long w = b.word(i);
                if (w < 0) {
                    i += LONG_WORDS;
                    c++;
                } else if ((w & KIND_MASK) == PAD) {
                    i = (i / CHUNK_WORDS + 1) * CHUNK_WORDS;
                } else {
                    i++;
                    c++;
                }
            }
            return c;
        }

        /** Moves to the next event; false at the end. */
        boolean next() {
            while (at < words) {
                long w = b.word(at);
                int k = (int) (w & KIND_MASK);
                if (w < 0) {
                    kind = k;
                    rt = (int) ((w >>> RT_SHIFT) & RT_MASK);
                    time = b.word(at + 1);
                    x = b.word(at + 2);
                    y = b.word(at + 3);
                    z = b.word(at + 4);
                    at += LONG_WORDS;
                } else if (k == PAD) {
                    at = (at / CHUNK_WORDS + 1) * CHUNK_WORDS;
                    continue;
                } else {
                    at++;
                    kind = k;
                    rt = b.rt;
                    time = lastTime + ((w >>> DT_SHIFT) & DT_MAX);
                    long small = (w << (64 - AUX_SHIFT)) >> (64 - SMALL_BITS);
                    long aux = (w >>> AUX_SHIFT) - 1;
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
                lastTime = time;
                if (kind <= GO_EXIT) {
                    lastGoid = x;
                }
                curG = runningAfter(kind, x, curG);
                return true;
            }
            return false;
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
