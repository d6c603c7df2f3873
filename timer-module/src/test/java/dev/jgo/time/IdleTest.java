package dev.jgo.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An idle runtime waiting for a timer parks its Ms with a deadline and uses no CPU. */
@Timeout(120)
class IdleTest {

    @ParameterizedTest
    @ValueSource(strings = {"heap", "wheel"})
    void pendingTimerCostsNoCpu(String timers) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (GoRuntime rt = Runtimes.build(4, timers)) {
            Thread main = new Thread(() -> rt.run(() -> Go.sleep(Duration.ofMillis(1500))));
            main.start();
            Thread.sleep(400); // let every M settle
            List<Thread> carriers = carriers(rt);
            assertTrue(!carriers.isEmpty());
            long cpu0 = cpu(mx, carriers);
            boolean timedPark = false;
            for (int i = 0; i < 20; i++) {
                Thread.sleep(25);
                for (Thread t : carriers) {
                    Thread.State s = t.getState();
                    assertTrue(s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING, t + " is " + s);
                    timedPark |= s == Thread.State.TIMED_WAITING;
                }
            }
            long used = cpu(mx, carriers) - cpu0;
            assertTrue(timedPark, "one M waits for the timer with a deadline");
            // 500 ms of waiting; a polling M would burn most of it
            assertTrue(used < 50_000_000L, "carriers used " + used / 1_000_000 + " ms of CPU while idle");
            main.join();
            assertEquals(0, rt.view().localRunqSize(0));
        }
    }

    private static List<Thread> carriers(GoRuntime rt) {
        List<Thread> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t instanceof dev.jgo.spi.Carrier && t.isAlive() && t.getName().startsWith("jgo-m")) {
                out.add(t);
            }
        }
        return out;
    }

    private static long cpu(ThreadMXBean mx, List<Thread> ts) {
        long sum = 0;
        for (Thread t : ts) {
            long c = mx.getThreadCpuTime(t.threadId());
            if (c > 0) {
                sum += c;
            }
        }
        return sum;
    }
}
