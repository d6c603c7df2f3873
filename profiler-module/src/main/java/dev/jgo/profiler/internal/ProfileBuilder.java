package dev.jgo.profiler.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Builds a pprof profile ({@code profile.proto} of github.com/google/pprof) and writes it gzipped,
 * as {@code go tool pprof} reads it. Identical samples (same locations, same labels) are merged
 * by adding their values.
 *
 * <p>Field numbers of profile.proto used here: Profile 1 sample_type, 2 sample, 3 mapping, 4
 * location, 5 function, 6 string_table, 9 time_nanos, 10 duration_nanos, 11 period_type, 12
 * period; ValueType 1 type, 2 unit; Sample 1 location_id, 2 value, 3 label; Label 1 key, 2 str, 3
 * num; Mapping 1 id, 5 filename, 7 has_functions, 8 has_filenames, 9 has_line_numbers; Location 1
 * id, 2 mapping_id, 3 address, 4 line; Line 1 function_id, 2 line; Function 1 id, 2 name, 3
 * system_name, 4 filename.
 *
 * <p>Concurrency: one thread at a time (the sampler, or the profile writer).
 */
final class ProfileBuilder {

    /** A stack frame as pprof sees it: function, file and line. */
    record Frame(String function, String file, int line) {
        static Frame of(StackTraceElement e) {
            String cls = e.getClassName();
            String file = e.getFileName();
            int dot = cls.lastIndexOf('.');
            if (file != null && dot > 0) {
                file = cls.substring(0, dot).replace('.', '/') + "/" + file;
            }
            return new Frame(cls + "." + e.getMethodName(), file != null ? file : "", Math.max(0, e.getLineNumber()));
        }

        /** A pseudo-frame such as Go's {@code runtime._System}. */
        static Frame pseudo(String function) {
            return new Frame(function, "", 0);
        }
    }

    private record SampleKey(List<Long> locations, Map<String, String> labels, long goid) {}

    private final String[][] sampleTypes;
    private final String[] periodType;
    private final long period;

    private final List<String> strings = new ArrayList<>();
    private final Map<String, Long> stringIds = new HashMap<>();
    private final Map<String, Long> functions = new LinkedHashMap<>(); // "name\0file" -> id
    private final Map<Frame, Long> locations = new LinkedHashMap<>();
    private final Map<SampleKey, long[]> samples = new LinkedHashMap<>();

    /**
     * @param sampleTypes (type, unit) pairs, one per sample value
     * @param periodType (type, unit)
     */
    ProfileBuilder(String[][] sampleTypes, String[] periodType, long period) {
        this.sampleTypes = sampleTypes;
        this.periodType = periodType;
        this.period = period;
        str(""); // string_table[0] must be ""
    }

    private long str(String s) {
        Long id = stringIds.get(s);
        if (id == null) {
            id = (long) strings.size();
            strings.add(s);
            stringIds.put(s, id);
        }
        return id;
    }

    /** The location id of {@code f} (1-based), creating it and its function if new. */
    long location(Frame f) {
        Long id = locations.get(f);
        if (id == null) {
            functions.putIfAbsent(f.function() + "\0" + f.file(), (long) functions.size() + 1);
            id = (long) locations.size() + 1;
            locations.put(f, id);
        }
        return id;
    }

    /**
     * Adds a sample.
     *
     * @param frames innermost first
     * @param goid the goroutine id label, or -1 for none
     */
    void add(List<Frame> frames, Map<String, String> labels, long goid, long... values) {
        List<Long> locs = new ArrayList<>(frames.size());
        for (Frame f : frames) {
            locs.add(location(f));
        }
        samples.merge(new SampleKey(locs, labels == null ? Map.of() : labels, goid), values.clone(), (a, b) -> {
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
            return a;
        });
    }

    int sampleCount() {
        return samples.size();
    }

    /** Encodes the profile (uncompressed protobuf). */
    byte[] encode(long timeNanos, long durationNanos) {
        ProtoWriter p = new ProtoWriter();
        for (String[] t : sampleTypes) {
            p.message(1, valueType(t));
        }
        for (Map.Entry<SampleKey, long[]> e : samples.entrySet()) {
            SampleKey k = e.getKey();
            ProtoWriter s = new ProtoWriter();
            s.packed(1, k.locations().stream().mapToLong(Long::longValue).toArray());
            s.packed(2, e.getValue());
            if (k.goid() >= 0) {
                s.message(3, new ProtoWriter().int64(1, str("goroutine")).int64(3, k.goid()));
            }
            for (Map.Entry<String, String> l : k.labels().entrySet()) {
                s.message(3, new ProtoWriter().int64(1, str(l.getKey())).int64(2, str(l.getValue())));
            }
            p.message(2, s);
        }
        p.message(
                3,
                new ProtoWriter()
                        .int64(1, 1)
                        .int64(5, str("jvm"))
                        .int64(7, 1)
                        .int64(8, 1)
                        .int64(9, 1));
        for (Map.Entry<Frame, Long> e : locations.entrySet()) {
            Frame f = e.getKey();
            long fid = functions.get(f.function() + "\0" + f.file());
            ProtoWriter line = new ProtoWriter().int64(1, fid).int64(2, f.line());
            // address: a distinct fake PC per location (text formats print it)
            p.message(
                    4,
                    new ProtoWriter()
                            .int64(1, e.getValue())
                            .int64(2, 1)
                            .int64(3, address(e.getValue()))
                            .message(4, line));
        }
        for (Map.Entry<String, Long> e : functions.entrySet()) {
            String[] nf = e.getKey().split("\0", 2);
            long name = str(nf[0]);
            p.message(
                    5,
                    new ProtoWriter()
                            .int64(1, e.getValue())
                            .int64(2, name)
                            .int64(3, name)
                            .int64(4, str(nf[1])));
        }
        // string_table last: every str() call above has happened
        long typeId = str(periodType[0]);
        long unitId = str(periodType[1]);
        for (String s : strings) {
            p.string(6, s);
        }
        p.int64(9, timeNanos);
        p.int64(10, durationNanos);
        p.message(11, new ProtoWriter().int64(1, typeId).int64(2, unitId));
        p.int64(12, period);
        return p.toByteArray();
    }

    private ProtoWriter valueType(String[] t) {
        return new ProtoWriter().int64(1, str(t[0])).int64(2, str(t[1]));
    }

    /** The fake program counter of location {@code id}. */
    static long address(long id) {
        return 0x1000 + id * 0x10;
    }

    /** Writes the gzipped profile to {@code out} (flushed, left open). */
    void writeGzip(OutputStream out, long timeNanos, long durationNanos) throws IOException {
        byte[] b = encode(timeNanos, durationNanos);
        GZIPOutputStream gz = new GZIPOutputStream(new NonClosing(out));
        gz.write(b);
        gz.finish();
        out.flush();
    }

    /** Keeps GZIPOutputStream from closing the caller's stream. */
    static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
