import dev.jgo.*;
import dev.jgo.bench.Skynet;
import dev.jgo.prof.*;
import java.io.*;
import java.util.*;
/** Skynet with nothing, the tracer, and the CPU profiler on, interleaved rounds, medians. */
public class Overhead {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a.length > 0 ? a[0] : "1000000");
        int rounds = Integer.parseInt(a.length > 1 ? a[1] : "7");
        Skynet s = new Skynet();
        String[] modes = {"off", "trace", "cpu100"};
        Map<String, List<Long>> t = new LinkedHashMap<>();
        for (String m : modes) t.put(m, new ArrayList<>());
        try (GoRuntime rt = GoRuntime.builder().build()) {
            for (int i = 0; i < 3; i++) s.runJgo(rt, n); // warm-up
            for (int r = 0; r < rounds; r++) {
                for (String m : modes) {
                    OutputStream sink = OutputStream.nullOutputStream();
                    if (m.equals("trace")) Trace.start(sink);
                    if (m.equals("cpu100")) Pprof.startCpuProfile(sink);
                    long t0 = System.nanoTime();
                    long v = s.runJgo(rt, n);
                    long dt = System.nanoTime() - t0;
                    if (m.equals("trace")) Trace.stop();
                    if (m.equals("cpu100")) Pprof.stopCpuProfile();
                    if (v != s.expected(n)) throw new AssertionError(v);
                    t.get(m).add(dt);
                }
            }
        }
        long base = median(t.get("off"));
        for (String m : modes) {
            long md = median(t.get(m));
            System.out.printf("%-7s median %7.1f ms  ratio %.3f%n", m, md / 1e6, (double) md / base);
        }
    }
    static long median(List<Long> l) { List<Long> c = new ArrayList<>(l); Collections.sort(c); return c.get(c.size() / 2); }
}
