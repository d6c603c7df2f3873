import dev.jgo.*;
import dev.jgo.prof.*;
import dev.jgo.sync.*;
import java.io.*;
import java.util.*;
public class Demo {
    static volatile long sink;
    static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
    static void hashLoop() { long x = 1; for (int i = 0; i < 50_000_000; i++) x = x * 31 + i; sink = x; }
    public static void main(String[] a) throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build();
             OutputStream cpu = new FileOutputStream("/tmp/pp/cpu.pprof");
             OutputStream tr = new FileOutputStream("/tmp/pp/trace.json")) {
            Pprof.startCpuProfile(cpu);
            Trace.start(tr);
            rt.run(() -> {
                WaitGroup wg = new WaitGroup();
                wg.add(2);
                Pprof.doWithLabels(Map.of("worker", "fib"), () -> Go.go(() -> { for (int i = 0; i < 20; i++) sink += fib(27); wg.done(); }));
                Pprof.doWithLabels(Map.of("worker", "hash"), () -> Go.go(() -> { for (int i = 0; i < 10; i++) hashLoop(); wg.done(); }));
                wg.await();
            });
            Trace.stop();
            Pprof.stopCpuProfile();
            try (OutputStream g = new FileOutputStream("/tmp/pp/goroutine.pprof")) { Pprof.writeGoroutineProfile(g, 0); }
        }
    }
}
