package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import dev.jgo.sync.Chan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The carrier lookup switches to the direct call while goroutines run hot: in a fresh JVM, two
 * goroutines on two Ps hand values back and forth and yield from the first moment, so the JIT
 * compiles their methods before InlineGuard's directive is added and again after; every lookup
 * after a park or yield must still name the carrier the goroutine runs on (a stale one is seen
 * as "not called from a goroutine", or as another goroutine's id).
 */
class CarrierLookupSwitchTest {

    /**
     * The child JVM: HandoffAllocationTest's workload (channel hand-offs, yields and Mutex
     * hand-overs between two goroutines on two Ps, hot from the start: its loops are compiled
     * on the stack while the directive is being added), then the rounds of {@link #hot} until
     * the switch is surely done; prints {@code ok} or fails.
     */
    public static void main(String[] args) {
        HandoffAllocationTest.measure(2);
        hot();
        System.out.println("ok");
    }

    /** Ping-pong with yields on two Ps for at least 2 s and until the directive is in. */
    static void hot() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            rt.run(() -> {
                Chan<Long> ping = Chan.make(0);
                Chan<Long> pong = Chan.make(0);
                Go.go(() -> {
                    long id = Go.id();
                    for (Long x; (x = ping.recv()) != null; ) {
                        Go.yield();
                        if (Go.id() != id) {
                            throw new AssertionError("echo saw goroutine " + Go.id() + ", is " + id);
                        }
                        pong.send(x + 1);
                    }
                });
                long id = Go.id();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                String status = null;
                for (long n = 0; System.nanoTime() < deadline || status == null; n++) {
                    ping.send(n);
                    long r = pong.recv();
                    Go.yield();
                    if (r != n + 1 || Go.id() != id) {
                        throw new AssertionError("round " + n + ": got " + r + " in goroutine " + Go.id());
                    }
                    if (status == null && (n & 1023) == 0) {
                        status = Go.blocking(Carrier::inlineGuardStatus);
                    }
                }
                ping.close();
            });
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void goroutinesRunningHotThroughTheSwitchAlwaysSeeTheirOwnCarrier() throws Exception {
        for (int jvm = 0; jvm < 4; jvm++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-ea");
            cmd.add("--add-exports");
            cmd.add("java.base/jdk.internal.vm=ALL-UNNAMED");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(CarrierLookupSwitchTest.class.getName());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end");
                assertEquals(0, p.exitValue(), out);
                assertTrue(out.lines().anyMatch(l -> l.equals("ok")), out);
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
