package dev.jgo.profiler.internal;

import dev.jgo.GoRuntime;
import dev.jgo.spi.GoroutineInfo;
import dev.jgo.spi.RuntimeRegistry;
import dev.jgo.spi.SafepointCoordinator;
import dev.jgo.spi.Scheduler;
import dev.jgo.spi.Traceback;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Go's goroutine profile ({@code pprof.Lookup("goroutine")}) over every live runtime: debug 0 is
 * pprof protobuf, 1 groups identical stacks with counts ({@code writeRuntimeProfile}'s text), 2
 * prints every goroutine as a Go traceback ({@code runtime.Stack(buf, true)}, {@link Traceback}).
 * Every level shows the user's frames only (jgo's own are left out, see {@link Traceback}).
 *
 * <p>Each runtime's snapshot is taken with the world stopped when jgo-safepoint is present and
 * every goroutine reaches a safe point within {@link #STOP_TIMEOUT_NANOS} (Go stops the world for
 * its goroutine profile too), so the states and counts are one consistent moment; otherwise the
 * snapshot is read while goroutines run, each goroutine consistent in itself.
 *
 * <p>Concurrency: any thread; it reads the runtimes' snapshots ({@code RuntimeView.goroutines}).
 */
final class GoroutineProfile {
    private GoroutineProfile() {}

    /** How long a dump waits for the world to stop before it reads the runtime running. */
    static final long STOP_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    static List<GoroutineInfo> all() {
        return of(null);
    }

    /** The goroutines of {@code only}, or of every live runtime of the JVM if null. */
    static List<GoroutineInfo> of(GoRuntime only) {
        List<GoroutineInfo> gs = new ArrayList<>();
        for (GoRuntime rt : RuntimeRegistry.live()) {
            if (only != null && rt != only) {
                continue;
            }
            try {
                gs.addAll(snapshot(rt));
            } catch (IllegalStateException | UnsupportedOperationException e) {
                // closed meanwhile, or a runtime without snapshots: nothing to report
            }
        }
        return gs;
    }

    /** One runtime's goroutines, with the world stopped if it can be (see the class note). */
    private static List<GoroutineInfo> snapshot(GoRuntime rt) {
        SafepointCoordinator sp = null;
        if (rt instanceof Scheduler s) {
            try {
                sp = s.safepoints();
            } catch (UnsupportedOperationException e) {
                // no jgo-safepoint: a running snapshot
            }
        }
        if (sp == null || !sp.tryStopTheWorld("goroutine profile", STOP_TIMEOUT_NANOS)) {
            return rt.view().goroutines();
        }
        try {
            return rt.view().goroutines();
        } finally {
            sp.startTheWorld();
        }
    }

    static void write(OutputStream out, int debug) throws IOException {
        write(out, debug, null);
    }

    /** As {@link #write(OutputStream, int)}, for {@code only}'s goroutines (every runtime's if null). */
    static void write(OutputStream out, int debug, GoRuntime only) throws IOException {
        List<GoroutineInfo> gs = of(only);
        switch (debug) {
            case 0 -> writeProto(out, gs);
            case 1 -> writeText(out, gs, 1);
            case 2 -> writeText(out, gs, 2);
            default -> throw new IllegalArgumentException("debug must be 0, 1 or 2, got " + debug);
        }
    }

    /** The user's frames of {@code g} (see {@link Traceback}: jgo's own are left out). */
    private static List<ProfileBuilder.Frame> frames(GoroutineInfo g) {
        List<StackTraceElement> st = Traceback.userFrames(g.stack());
        List<ProfileBuilder.Frame> fs = new ArrayList<>(st.size());
        for (StackTraceElement e : st) {
            fs.add(ProfileBuilder.Frame.of(e));
        }
        return fs;
    }

    private static void writeProto(OutputStream out, List<GoroutineInfo> gs) throws IOException {
        ProfileBuilder b =
                new ProfileBuilder(new String[][] {{"goroutine", "count"}}, new String[] {"goroutine", "count"}, 1);
        for (GoroutineInfo g : gs) {
            b.add(frames(g), g.labels(), -1, 1);
        }
        b.writeGzip(out, System.currentTimeMillis() * 1_000_000, 0);
    }

    private record Group(List<ProfileBuilder.Frame> frames, Map<String, String> labels) {}

    private static void writeText(OutputStream out, List<GoroutineInfo> gs, int debug) throws IOException {
        Writer w = new OutputStreamWriter(new ProfileBuilder.NonClosing(out), StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder();
        if (debug == 1) {
            grouped(sb, gs);
        } else {
            sb.append(Traceback.dump(gs, System.nanoTime()));
        }
        w.write(sb.toString());
        w.close(); // flushes; the caller's stream stays open
    }

    /** Go's debug=1 text: {@code N @ pcs}, labels, then {@code #\tpc\tfunc+0x0\tfile:line} per frame. */
    static void grouped(StringBuilder sb, List<GoroutineInfo> gs) {
        Map<Group, Integer> counts = new LinkedHashMap<>();
        for (GoroutineInfo g : gs) {
            counts.merge(new Group(frames(g), g.labels()), 1, Integer::sum);
        }
        ProfileBuilder pcs = new ProfileBuilder(new String[0][], new String[] {"", ""}, 0);
        sb.append("goroutine profile: total ").append(gs.size()).append('\n');
        counts.entrySet().stream()
                .sorted((a, b) -> Integer.compare(b.getValue(), a.getValue()))
                .forEach(e -> {
                    Group grp = e.getKey();
                    sb.append(e.getValue()).append(" @");
                    for (ProfileBuilder.Frame f : grp.frames()) {
                        sb.append(" 0x").append(Long.toHexString(ProfileBuilder.address(pcs.location(f))));
                    }
                    sb.append('\n');
                    if (!grp.labels().isEmpty()) {
                        sb.append("# labels: {");
                        String sep = "";
                        for (Map.Entry<String, String> l : grp.labels().entrySet()) {
                            sb.append(sep)
                                    .append('"')
                                    .append(l.getKey())
                                    .append("\":\"")
                                    .append(l.getValue())
                                    .append('"');
                            sep = ", ";
                        }
                        sb.append("}\n");
                    }
                    for (ProfileBuilder.Frame f : grp.frames()) {
                        sb.append("#\t0x")
                                .append(Long.toHexString(ProfileBuilder.address(pcs.location(f))))
                                .append('\t')
                                .append(f.function())
                                .append("+0x0\t")
                                .append(f.file())
                                .append(':')
                                .append(f.line())
                                .append('\n');
                    }
                    sb.append('\n');
                });
    }
}
