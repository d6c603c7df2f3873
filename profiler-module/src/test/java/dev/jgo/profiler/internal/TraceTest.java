package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.prof.Trace;
import dev.jgo.sync.Chan;
import dev.jgo.sync.WaitGroup;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceTest {

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> traceOf(Runnable workload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        try {
            workload.run();
        } finally {
            Trace.stop();
        }
        Map<String, Object> root = (Map<String, Object>) MiniJson.parse(out.toString(StandardCharsets.UTF_8));
        return (List<Map<String, Object>>) (List<?>) root.get("traceEvents");
    }

    private static void pingPong(GoRuntime rt, int rounds) {
        rt.run(() -> {
            Chan<Integer> ping = Chan.make(0);
            Chan<Integer> pong = Chan.make(0);
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            Go.go(() -> {
                for (int i = 0; i < rounds; i++) {
                    pong.send(ping.recv() + 1);
                }
                wg.done();
            });
            for (int i = 0; i < rounds; i++) {
                ping.send(i);
                pong.recv();
            }
            wg.await();
        });
    }

    @Test
    void traceIsValidJsonWithTracksSlicesInstantsAndFlows() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            pingPong(rt, 5); // warm up before tracing: Ms exist already
            List<Map<String, Object>> evs = traceOf(() -> pingPong(rt, 200));
            assertFalse(evs.isEmpty());
            for (Map<String, Object> e : evs) {
                assertTrue(e.containsKey("ph") && e.containsKey("pid") && e.containsKey("name"), e.toString());
            }
            Set<String> threadNames = evs.stream()
                    .filter(e -> e.get("ph").equals("M") && e.get("name").equals("thread_name"))
                    .map(e -> (String) ((Map<?, ?>) e.get("args")).get("name"))
                    .collect(Collectors.toSet());
            assertTrue(threadNames.stream().anyMatch(n -> n.matches("P\\d+")), threadNames.toString());
            assertTrue(threadNames.stream().anyMatch(n -> n.matches("M\\d+")), threadNames.toString());
            List<Map<String, Object>> slices =
                    evs.stream().filter(e -> e.get("ph").equals("X")).toList();
            assertTrue(
                    slices.stream()
                                    .filter(e -> ((String) e.get("name")).matches("G\\d+"))
                                    .count()
                            >= 200,
                    "goroutine runs");
            Set<String> instants = evs.stream()
                    .filter(e -> e.get("ph").equals("i"))
                    .map(e -> (String) e.get("name"))
                    .collect(Collectors.toSet());
            assertTrue(instants.containsAll(Set.of("GoPark", "GoUnpark", "GoCreate")), instants.toString());
            assertTrue(
                    evs.stream()
                            .anyMatch(e -> e.get("name").equals("GoPark")
                                    && Set.of("chan receive", "chan send")
                                            .contains(((Map<?, ?>) e.get("args")).get("reason"))),
                    () -> "a park with its wait reason: "
                            + evs.stream()
                                    .filter(e -> e.get("name").equals("GoPark"))
                                    .limit(5)
                                    .toList());
            // every flow end has a start with the same id
            Set<Object> starts = evs.stream()
                    .filter(e -> e.get("ph").equals("s"))
                    .map(e -> e.get("id"))
                    .collect(Collectors.toSet());
            List<Object> ends = evs.stream()
                    .filter(e -> e.get("ph").equals("f"))
                    .map(e -> e.get("id"))
                    .toList();
            assertTrue(ends.size() >= 100, "flows from unpark to run: " + ends.size());
            assertTrue(starts.containsAll(new HashSet<>(ends)));
            assertNested(slices);
        }
    }

    /** On each M track, every goroutine slice lies within a "P n" slice. */
    private static void assertNested(List<Map<String, Object>> slices) {
        Map<String, List<Map<String, Object>>> byTrack =
                slices.stream().collect(Collectors.groupingBy(e -> e.get("pid") + "/" + e.get("tid")));
        int checked = 0;
        for (List<Map<String, Object>> track : byTrack.values()) {
            List<double[]> procs = track.stream()
                    .filter(e -> ((String) e.get("name")).matches("P\\d+"))
                    .map(e -> new double[] {(Double) e.get("ts"), (Double) e.get("ts") + (Double) e.get("dur")})
                    .toList();
            if (procs.isEmpty()) {
                continue; // a P track
            }
            for (Map<String, Object> g : track) {
                if (!((String) g.get("name")).matches("G\\d+")) {
                    continue;
                }
                double s = (Double) g.get("ts");
                double e = s + (Double) g.get("dur");
                assertTrue(
                        procs.stream().anyMatch(p -> p[0] <= s + 1e-3 && e <= p[1] + 1e-3),
                        "goroutine slice " + g + " outside every P slice of its M");
                checked++;
            }
        }
        assertTrue(checked > 0, "no goroutine slices on M tracks");
    }

    @Test
    void blockingCallsShowAsSyscallsAndAFailingStreamIsReported() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            List<Map<String, Object>> evs = traceOf(() -> rt.run(() -> Go.blocking(() -> {
                Thread.sleep(5);
                return null;
            })));
            assertTrue(evs.stream().anyMatch(e -> e.get("name").equals("GoSysCall")), "syscall instant");
        }
        Trace.start(new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("closed pipe");
            }
        });
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, Trace::stop);
        assertEquals("closed pipe", e.getCause().getMessage());
        Trace.start(new ByteArrayOutputStream()); // stopped cleanly: a new trace can start
        Trace.stop();
    }

    @Test
    void secondStartThrowsAndRuntimesBuiltDuringTheTraceAreTraced() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        try {
            assertThrows(IllegalStateException.class, () -> Trace.start(new ByteArrayOutputStream()));
            try (GoRuntime rt = GoRuntime.builder().procs(1).name("late").build()) {
                assertEquals(3, (int) rt.run(() -> 3));
            }
        } finally {
            Trace.stop();
        }
        Trace.stop(); // no trace running: no-op
        String json = out.toString(StandardCharsets.UTF_8);
        MiniJson.parse(json);
        assertTrue(json.contains("late"), "the runtime built during the trace has its tracks");
        assertTrue(json.contains("\"name\":\"G"), json);
    }

    @Test
    void eventLayoutRoundTrips() {
        long[] times = {0, 1, 123_456_789_012L, (1L << 52) - 1};
        for (long t : times) {
            for (int rt : new int[] {0, 1, Tracer.MAX_RUNTIMES - 1}) {
                for (int kind = 0; kind <= Tracer.SPIN_STOP; kind++) {
                    long w0 = Tracer.packW0(t, rt, kind);
                    assertEquals(t, Tracer.time(w0));
                    assertEquals(rt, Tracer.rt(w0));
                    assertEquals(kind, Tracer.kind(w0));
                }
            }
        }
        long[][] yz = {{-1, -1}, {0, 0}, {(1L << 47) - 1, 65_534}, {42, 7}, {1_000_000_007L, -1}};
        for (long[] v : yz) {
            long w2 = Tracer.packW2(v[0], v[1]);
            assertEquals(v[0], Tracer.y(w2), "y");
            assertEquals(v[1], Tracer.z(w2), "z");
        }
    }
}
