import dev.jgo.*;
import dev.jgo.bench.Skynet;
import dev.jgo.prof.*;
import java.io.*;
/**
 * Skynet (1M leaves, GOMAXPROCS 2) run in a loop for a profiler: three warm-up runs, then
 * {@code runs} runs untraced ("off"), traced ("trace": Trace.start to a discarding stream,
 * stopped and started again every two runs so that the buffers never fill; the rendering at
 * Trace.stop runs on the main thread) or under a flight recorder ("flight"). Profile the
 * scheduler threads ({@code jgo-m*}) only, e.g. with {@code perf report --comms}.
 * Arguments: off|trace|flight, runs.
 */
public class TracedLoop {
    public static void main(String[] a) throws Exception {
        String mode = a[0]; int rounds = Integer.parseInt(a[1]);
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        Skynet s = new Skynet();
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            for (int i = 0; i < 3; i++) s.runJgo(rt, 1000000);
            if (mode.equals("trace")) Trace.start(OutputStream.nullOutputStream());
            FlightRecorder fr = mode.equals("flight") ? Trace.newFlightRecorder(java.time.Duration.ZERO, 0) : null;
            if (fr != null) fr.start();
            long c0 = os.getProcessCpuTime();
            for (int r = 0; r < rounds; r++) {
                if (mode.equals("trace") && r % 2 == 0 && r > 0) { Trace.stop(); Trace.start(OutputStream.nullOutputStream()); }
                s.runJgo(rt, 1000000);
            }
            System.out.printf("%s cpu/run %.1f ms%n", mode, (os.getProcessCpuTime() - c0) / 1e6 / rounds);
            if (mode.equals("trace")) Trace.stop();
            if (fr != null) fr.stop();
        }
    }
}
