package dev.jgo.profiler.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** A minimal protobuf decoder for tests: field number -> values (Long or byte[]). */
final class ProtoReader {
    private ProtoReader() {}

    static Map<Integer, List<Object>> parse(byte[] b) {
        Map<Integer, List<Object>> m = new HashMap<>();
        int[] pos = {0};
        while (pos[0] < b.length) {
            long tag = varint(b, pos);
            int field = (int) (tag >>> 3);
            int wt = (int) (tag & 7);
            Object v;
            switch (wt) {
                case 0 -> v = varint(b, pos);
                case 2 -> {
                    int len = (int) varint(b, pos);
                    byte[] s = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + len);
                    pos[0] += len;
                    v = s;
                }
                default -> throw new IllegalArgumentException("unexpected wire type " + wt + " for field " + field);
            }
            m.computeIfAbsent(field, k -> new ArrayList<>()).add(v);
        }
        return m;
    }

    static long varint(byte[] b, int[] pos) {
        long r = 0;
        int shift = 0;
        while (true) {
            int x = b[pos[0]++] & 0xFF;
            r |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return r;
            }
            shift += 7;
        }
    }

    static long[] packed(Object o) {
        if (o instanceof Long l) {
            return new long[] {l};
        }
        byte[] b = (byte[]) o;
        List<Long> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < b.length) {
            out.add(varint(b, pos));
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    static long num(Map<Integer, List<Object>> m, int field) {
        List<Object> l = m.get(field);
        return l == null ? 0 : (Long) l.get(0);
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    /** A decoded pprof profile: enough to check structure and content. */
    record Profile(
            List<String> strings,
            List<String[]> sampleTypes,
            List<Sample> samples,
            Map<Long, String> locationFunction,
            long period,
            String[] periodType) {

        record Sample(long[] locations, long[] values, Map<String, String> strLabels, Map<String, Long> numLabels) {}

        /** Function names of a sample, innermost first. */
        List<String> functions(Sample s) {
            List<String> fs = new ArrayList<>();
            for (long id : s.locations()) {
                fs.add(locationFunction.get(id));
            }
            return fs;
        }
    }

    static Profile profile(byte[] gz) throws IOException {
        Map<Integer, List<Object>> p = parse(gunzip(gz));
        List<String> strings = new ArrayList<>();
        for (Object o : p.getOrDefault(6, List.of())) {
            strings.add(new String((byte[]) o, StandardCharsets.UTF_8));
        }
        if (strings.isEmpty() || !strings.get(0).isEmpty()) {
            throw new AssertionError("string_table[0] must be empty");
        }
        List<String[]> types = new ArrayList<>();
        for (Object o : p.getOrDefault(1, List.of())) {
            Map<Integer, List<Object>> vt = parse((byte[]) o);
            types.add(new String[] {strings.get((int) num(vt, 1)), strings.get((int) num(vt, 2))});
        }
        Map<Long, String> fnames = new HashMap<>();
        for (Object o : p.getOrDefault(5, List.of())) {
            Map<Integer, List<Object>> f = parse((byte[]) o);
            fnames.put(num(f, 1), strings.get((int) num(f, 2)));
        }
        Map<Long, String> locFn = new HashMap<>();
        for (Object o : p.getOrDefault(4, List.of())) {
            Map<Integer, List<Object>> l = parse((byte[]) o);
            Map<Integer, List<Object>> line = parse((byte[]) l.get(4).get(0));
            String fn = fnames.get(num(line, 1));
            if (fn == null) {
                throw new AssertionError("location refers to a missing function");
            }
            locFn.put(num(l, 1), fn);
        }
        List<Profile.Sample> samples = new ArrayList<>();
        for (Object o : p.getOrDefault(2, List.of())) {
            Map<Integer, List<Object>> s = parse((byte[]) o);
            long[] locs = s.containsKey(1) ? packed(s.get(1).get(0)) : new long[0];
            for (long id : locs) {
                if (!locFn.containsKey(id)) {
                    throw new AssertionError("sample refers to missing location " + id);
                }
            }
            long[] vals = packed(s.get(2).get(0));
            if (vals.length != types.size()) {
                throw new AssertionError("sample has " + vals.length + " values for " + types.size() + " types");
            }
            Map<String, String> sl = new HashMap<>();
            Map<String, Long> nl = new HashMap<>();
            for (Object lo : s.getOrDefault(3, List.of())) {
                Map<Integer, List<Object>> l = parse((byte[]) lo);
                String k = strings.get((int) num(l, 1));
                if (l.containsKey(2)) {
                    sl.put(k, strings.get((int) num(l, 2)));
                } else {
                    nl.put(k, num(l, 3));
                }
            }
            samples.add(new Profile.Sample(locs, vals, sl, nl));
        }
        Map<Integer, List<Object>> pt = parse((byte[]) p.get(11).get(0));
        return new Profile(strings, types, samples, locFn, num(p, 12), new String[] {
            strings.get((int) num(pt, 1)), strings.get((int) num(pt, 2))
        });
    }
}
