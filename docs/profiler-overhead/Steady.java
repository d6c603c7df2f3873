import dev.jgo.*;
import dev.jgo.bench.Skynet;
import dev.jgo.prof.*;
import java.io.*;
import java.lang.management.ManagementFactory;
import java.util.*;

/**
 * Skynet with the tracer on for the whole process ("trace") or never ("off"), so that the JIT
 * compiles the scheduler once, with or without the listener, and no run pays a deoptimization
 * for the tracer being switched on or off (which Overhead.java, toggling it every round, does).
 * Five traces of two runs each; the first trace's runs are warm-up. Prints the median process
 * CPU time of the other eight runs. Run it alternately in separate processes:
 * bench/scripts/trace-overhead.sh does.
 * Arguments: off|trace, leaves (default 1000000), GOMAXPROCS (default 2).
 */
public class Steady {
    public static void main(String[] a) throws Exception {
        boolean trace = a[0].equals("trace");
        int n = Integer.parseInt(a.length > 1 ? a[1] : "1000000");
        int procs = Integer.parseInt(a.length > 2 ? a[2] : "2");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Skynet s = new Skynet();
        List<Long> cpu = new ArrayList<>();
        try (GoRuntime rt = GoRuntime.builder().procs(procs).build()) {
            for (int round = 0; round < 5; round++) {
                if (trace) Trace.start(OutputStream.nullOutputStream());
                for (int i = 0; i < 2; i++) {
                    long c0 = os.getProcessCpuTime();
                    long v = s.runJgo(rt, n);
                    long dc = os.getProcessCpuTime() - c0;
                    if (v != s.expected(n)) throw new AssertionError(v);
                    if (round > 0) cpu.add(dc);
                }
                if (trace) Trace.stop();
            }
        }
        Collections.sort(cpu);
        System.out.printf("%s cpu_ms %.1f%n", a[0], cpu.get(cpu.size() / 2) / 1e6);
    }
}
