import dev.jgo.*;
import dev.jgo.bench.Skynet;
import dev.jgo.prof.*;
import java.io.*;
import java.lang.management.ManagementFactory;
import java.util.*;

/**
 * Skynet with nothing, the tracer, a flight recorder (Trace.newFlightRecorder with Go's defaults,
 * 10 s and 10 MiB) and the CPU profiler (100 Hz) on, in interleaved rounds in one JVM; prints
 * the medians of wall time and of process CPU time per mode and their ratios to "off".
 * Arguments: leaves (default 1000000), rounds (default 9), GOMAXPROCS (default CPU count).
 * Only the workload is timed: writing the trace at Trace.stop is not.
 */
public class Overhead {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a.length > 0 ? a[0] : "1000000");
        int rounds = Integer.parseInt(a.length > 1 ? a[1] : "9");
        int procs = Integer.parseInt(a.length > 2 ? a[2] : "" + Runtime.getRuntime().availableProcessors());
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Skynet s = new Skynet();
        String[] modes = {"off", "trace", "flight", "cpu100"};
        Map<String, List<Long>> wall = new LinkedHashMap<>(), cpu = new LinkedHashMap<>();
        for (String m : modes) { wall.put(m, new ArrayList<>()); cpu.put(m, new ArrayList<>()); }
        long events = 0, bytes = 0;
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            for (int i = 0; i < 3; i++) s.runJgo(rt, n); // warm-up
            for (int r = 0; r < rounds; r++) {
                for (String m : modes) {
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    OutputStream sink = m.equals("trace") ? new FilterOutputStream(OutputStream.nullOutputStream()) {
                        @Override public void write(byte[] b, int off, int len) throws IOException {
                            if (head.size() < 200) head.write(b, off, Math.min(len, 200));
                        }
                    } : OutputStream.nullOutputStream();
                    if (m.equals("trace")) Trace.start(sink);
                    if (m.equals("cpu100")) Pprof.startCpuProfile(sink);
                    FlightRecorder fr = m.equals("flight") ? Trace.newFlightRecorder(java.time.Duration.ZERO, 0) : null;
                    if (fr != null) fr.start();
                    long c0 = os.getProcessCpuTime();
                    long t0 = System.nanoTime();
                    long v = s.runJgo(rt, n);
                    long dt = System.nanoTime() - t0;
                    long dc = os.getProcessCpuTime() - c0;
                    if (m.equals("trace")) {
                        Trace.stop();
                        String h = head.toString();
                        int i = h.indexOf("\"events\":");
                        if (i >= 0) events = Long.parseLong(h.substring(i + 9, h.indexOf(',', i)));
                        int j = h.indexOf("\"bufferBytes\":");
                        if (j >= 0) bytes = Long.parseLong(h.substring(j + 14, h.indexOf('}', j)));
                    }
                    if (m.equals("cpu100")) Pprof.stopCpuProfile();
                    if (fr != null) fr.stop();
                    if (v != s.expected(n)) throw new AssertionError(v);
                    wall.get(m).add(dt);
                    cpu.get(m).add(dc);
                }
            }
        }
        System.out.printf("skynet n=%d procs=%d rounds=%d, trace events per run: %d, buffer bytes per event: %.1f%n",
                n, procs, rounds, events, events > 0 ? (double) bytes / events : 0.0);
        long wb = median(wall.get("off")), cb = median(cpu.get("off"));
        for (String m : modes) {
            long w = median(wall.get(m)), c = median(cpu.get(m));
            System.out.printf("%-7s wall median %7.1f ms ratio %.3f   cpu median %7.1f ms ratio %.3f   median of per-round cpu ratios %.3f%n",
                    m, w / 1e6, (double) w / wb, c / 1e6, (double) c / cb, pairedMedian(cpu.get(m), cpu.get("off")));
        }
    }

    /** The median of x[i] / base[i]: each round's ratio to the "off" run of the same round. */
    static double pairedMedian(List<Long> x, List<Long> base) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < x.size(); i++) r.add((double) x.get(i) / base.get(i));
        Collections.sort(r);
        return r.get(r.size() / 2);
    }

    static long median(List<Long> l) { List<Long> c = new ArrayList<>(l); Collections.sort(c); return c.get(c.size() / 2); }
}
