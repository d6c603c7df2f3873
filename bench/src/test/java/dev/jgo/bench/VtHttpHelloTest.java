package dev.jgo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.spi.Policies;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * vt-http: every request is answered on both schedulers and with each steal policy, the server
 * counts each request and closes each connection it accepted, and no thread of the run is left.
 */
class VtHttpHelloTest {
    private static final int[] SIZES = {1, 3, VtHttpHello.CONNECTIONS, 5_003};

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void jgoAnswersEveryRequestAndLeavesNoThread() throws Exception {
        VtHttpHello w = new VtHttpHello();
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            int before = rt.numGoroutine();
            for (int n : SIZES) {
                assertEquals(w.expected(n), w.runJgo(rt, n), "n=" + n);
                checkCounts(w, n);
                awaitGoroutines(rt, before);
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void jdkSchedulerAnswersEveryRequest() throws Exception {
        VtHttpHello w = new VtHttpHello();
        for (int n : SIZES) {
            assertEquals(w.expected(n), w.runVirtual(n), "n=" + n);
            checkCounts(w, n);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void everyStealPolicyAnswersEveryRequest() throws Exception {
        VtHttpHello w = new VtHttpHello();
        for (String steal : Policies.STEAL) {
            try (GoRuntime rt = GoRuntime.builder()
                    .procs(2)
                    .stealPolicy(Policies.steal(steal))
                    .build()) {
                int before = rt.numGoroutine();
                assertEquals(w.expected(2_001), w.runJgo(rt, 2_001), steal);
                checkCounts(w, 2_001);
                awaitGoroutines(rt, before);
            }
        }
    }

    @Test
    void theVthreadsGroupHoldsItForBenchAndCompare() {
        assertTrue(Workloads.group(Workloads.VTHREADS).orElseThrow().contains("vt-http"));
        CompareOptions o = CompareOptions.parse(java.util.List.of("--workloads", Workloads.VTHREADS));
        assertTrue(o.workloads().contains("vt-http"), o.workloads().toString());
    }

    @Test
    void requestsAreWholeHeads() {
        byte[] b = new byte[64];
        int len = VtHttpHello.request(b, 4711);
        String s = new String(b, 0, len, StandardCharsets.US_ASCII);
        assertEquals("GET /4711 HTTP/1.1\r\nHost: localhost\r\n\r\n", s);
        assertEquals(len, VtHttpHello.headEnd(b, len));
        assertEquals(-1, VtHttpHello.headEnd(b, len - 1));
    }

    /** The server of the last run counted n requests, and closed every connection it accepted. */
    private static void checkCounts(VtHttpHello w, int n) {
        VtHttpHello.Counts k = w.lastCounts();
        int conns = Math.min(VtHttpHello.CONNECTIONS, n);
        assertEquals(new VtHttpHello.Counts(n, conns, conns, 0), k, "n=" + n);
    }

    /** numGoroutine falls back to {@code want} within 10 s: every thread of the run has ended. */
    private static void awaitGoroutines(GoRuntime rt, int want) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (rt.numGoroutine() != want && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(want, rt.numGoroutine(), "goroutines and virtual threads left after the run");
    }
}
