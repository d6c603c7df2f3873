package dev.jgo.profiler.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The protobuf wire format, the small part pprof needs: varints, length-delimited fields and
 * packed repeated integers. Written by hand so the module needs no protobuf runtime or protoc.
 */
final class ProtoWriter {
    private static final int VARINT = 0;
    private static final int LEN = 2;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    /** An int64/uint64/bool field; zero is omitted, as proto3 does. */
    ProtoWriter int64(int field, long v) {
        if (v != 0) {
            tag(field, VARINT);
            varint(v);
        }
        return this;
    }

    ProtoWriter bytes(int field, byte[] b) {
        tag(field, LEN);
        varint(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    ProtoWriter string(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter m) {
        return bytes(field, m.toByteArray());
    }

    /** A packed repeated int64/uint64 field; omitted when empty. */
    ProtoWriter packed(int field, long[] vs) {
        if (vs.length == 0) {
            return this;
        }
        ProtoWriter p = new ProtoWriter();
        for (long v : vs) {
            p.varint(v);
        }
        return bytes(field, p.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
