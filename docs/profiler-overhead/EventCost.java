import dev.jgo.*;
import dev.jgo.prof.*;
import dev.jgo.spi.*;
import java.io.*;
import java.lang.reflect.*;
import java.util.*;
/** ns per recorded scheduler event, the tracer's listener called directly in a loop. */
public class EventCost {
    static volatile SchedEvents captured;
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        int threads = Integer.parseInt(a[1]);
        GoRuntime fake = (GoRuntime) Proxy.newProxyInstance(EventCost.class.getClassLoader(),
            new Class<?>[] {GoRuntime.class, EventsControl.class}, (p, m, args) -> switch (m.getName()) {
                case "attachEvents" -> { captured = (SchedEvents) args[0]; yield null; }
                case "detachEvents" -> true;
                case "toString" -> "fake";
                case "hashCode" -> 1;
                case "equals" -> p == args[0];
                default -> throw new UnsupportedOperationException(m.getName());
            });
        RuntimeRegistry.register(fake);
        for (int round = 0; round < 6; round++) {
            Trace.start(OutputStream.nullOutputStream());
            SchedEvents l = captured;
            Thread[] ts = new Thread[threads];
            long[] cpu = new long[1];
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                ts[t] = new Thread(() -> {
                    long c0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                    for (int i = 0; i < n; i += 4) {
                        l.goCreate(i, tt, tt); // thread tt plays the M holding P tt
                        l.goStart(i, tt, tt);
                        l.goPark(i, WaitReason.CHAN_RECEIVE, tt);
                        l.goExit(i, tt);
                    }
                    cpu[0] = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - c0;
                });
                ts[t].start();
            }
            for (Thread t : ts) t.join();
            long dt = System.nanoTime() - t0;
            long s0 = System.nanoTime();
            Trace.stop();
            System.out.printf("round %d: %.1f ns/event wall, %.1f ns/event cpu (%d threads), stop %.0f ms%n", round, (double) dt / n, (double) cpu[0] / n, threads, (System.nanoTime() - s0) / 1e6);
        }
        long t0 = System.nanoTime(); long x = 0;
        for (int i = 0; i < n; i++) x += System.nanoTime();
        System.out.printf("nanoTime alone: %.1f ns%n", (double) (System.nanoTime() - t0) / n);
    }
}
