package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.MachineInfo;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code RuntimeView.machines(true)}, the CPU profiler's sample source: a sample's labels are at
 * least as new as its stack. A goroutine that sets its labels and then calls a method must never
 * be sampled in that method without them (the labels were once read before the stack walk, so a
 * goroutine that started meanwhile was sampled in the method with no labels).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MachineLabelsTest {
    static volatile long sink;

    static void spinLabelled(AtomicBoolean stop) {
        long x = 1;
        while (!stop.get()) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            sink = x;
        }
    }

    @Test
    void aSampleInTheLabelledMethodCarriesTheLabels() throws Exception {
        Map<String, String> labels = Map.of("job", "spin");
        int seen = 0;
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            for (int round = 0; round < 300; round++) {
                AtomicBoolean stop = new AtomicBoolean();
                rt.go(() -> {
                    Carrier.current().setLabels(labels);
                    spinLabelled(stop);
                });
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    boolean inMethod = false;
                    while (!inMethod && System.nanoTime() < deadline) {
                        for (MachineInfo m : rt.view().machines(true)) {
                            if (m.stack().stream()
                                    .anyMatch(e -> e.getMethodName().equals("spinLabelled"))) {
                                inMethod = true;
                                seen++;
                                assertEquals(
                                        labels,
                                        m.labels(),
                                        "round " + round + ": labels of the sample in spinLabelled");
                            }
                        }
                    }
                } finally {
                    stop.set(true);
                }
            }
        }
        assertTrue(seen >= 300, "sampled in the method every round: " + seen);
    }
}
