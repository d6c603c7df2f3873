package dev.jgo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.spi.RuntimeView.Counters;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BenchRunnerTest {

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void medianOfOddAndEvenCounts() {
        assertEquals(3.0, BenchRunner.median(new long[] {5, 1, 3}));
        assertEquals(2.5, BenchRunner.median(new long[] {4, 1, 3, 2}));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void countersSubtractFieldWise() {
        Counters a = new Counters(10, 9, 8, 7, 6, 5, 4, 3, 2);
        Counters b = new Counters(1, 1, 1, 1, 1, 1, 1, 1, 1);
        assertEquals(new Counters(9, 8, 7, 6, 5, 4, 3, 2, 1), BenchRunner.minus(a, b));
        assertEquals(a, BenchRunner.minus(a, b).plus(b));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aSmallRunPrintsOneRowPerWorkloadWithRatios() {
        BenchOptions o = new BenchOptions(
                List.of("skynet", "yield-many"),
                OptionalInt.of(1000),
                3,
                1,
                OptionalInt.of(2),
                List.of(Peer.values()),
                true);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<BenchRunner.Result> rs = BenchRunner.run(o, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(2, rs.size());
        for (BenchRunner.Result r : rs) {
            assertEquals(1000, r.n());
            assertTrue(r.medianNanos(Peer.JGO) > 0);
            assertTrue(r.medianNanos(Peer.VT) > 0);
            assertTrue(r.lastJgoCounters().goroutinesCreated() > 0, r.toString());
        }
        assertTrue(rs.get(0).medianNanos(Peer.FJ) > 0);
        assertEquals(-1, rs.get(1).medianNanos(Peer.FJ));
        assertTrue(out.contains("vt/jgo") && out.contains("fj/jgo"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("skynet ")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("yield-many ") && l.contains(" - ")), out);
        assertTrue(out.contains("flags:") && out.contains("gc:") && out.contains("cpus:"), out);
        assertTrue(out.contains("jgo scheduler counters"), out);
    }
}
