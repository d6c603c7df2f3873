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

import dev.jgo.WaitReason;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a trace's merged events into trace-event JSON, streaming it to the output as it goes (see
 * {@link Tracer}, "recording and rendering"). Single-threaded.
 */
final class TraceRenderer {
    private static final WaitReason[] REASONS = WaitReason.values();

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

    TraceRenderer(List<String> names, OutputStream out) {
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
                instant("GoPark", pProcess(rt), track(rt, y), ts, "\"goid\":" + x + ",\"reason\":\"" + reason + "\"");
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
        java.util.Set<Integer> used = new java.util.HashSet<>(); // runtimes with a track: a windowed
        for (long k : pTracks) { // trace (a flight recorder's) names only those
            used.add((int) (k >>> 40));
        }
        for (long k : mTracks) {
            used.add((int) (k >>> 40));
        }
        for (int rt = 0; rt < names.size(); rt++) {
            if (!used.contains(rt)) {
                continue;
            }
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
