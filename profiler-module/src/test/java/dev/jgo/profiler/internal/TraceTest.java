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

    /** The "otherData" of the last trace {@link #traceOf} read. */
    private static Map<?, ?> lastOtherData;

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
        lastOtherData = (Map<?, ?>) root.get("otherData");
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
            // most events are one int in the per-P buffers (TraceBuffer's "event encoding")
            double events = (Double) lastOtherData.get("events");
            double bytes = (Double) lastOtherData.get("bufferBytes");
            assertTrue(events >= 800 && bytes / events < 8, "bytes per event: " + bytes / events);
        }
    }

    /**
     * A start that reads no clock takes the time of the previous run's end on its P (see "clock
     * reads" in Tracer); a start after the P went idle must not: a goroutine that waits 30 ms for
     * a send (its sender in a blocking call meanwhile) shows its runs before and after 30 ms apart.
     */
    @Test
    void runAfterAnIdleGapStartsWhenItRuns() {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            rt.run(() -> {}); // warm up before tracing
            long[] id = new long[1];
            Chan<Integer> wake = Chan.make(1);
            Chan<Integer> yielded = Chan.make(1);
            List<Map<String, Object>> evs = traceOf(() -> rt.run(() -> {
                WaitGroup wg = new WaitGroup();
                wg.add(2);
                Go.go(() -> {
                    id[0] = Go.current().id();
                    for (int i = 0; i < 20; i++) {
                        Go.yield(); // runs that follow each other on the P
                    }
                    yielded.send(1); // buffered: the sleep below starts after this run ends
                    wake.recv(); // parked until the other goroutine's send, 30 ms on
                    wg.done();
                });
                Go.go(() -> {
                    yielded.recv(); // the whole 30 ms fall after the other's last run before it waits
                    Go.blockingLong(() -> {
                        Thread.sleep(30); // the P goes idle meanwhile
                        return null;
                    });
                    wake.send(1);
                    wg.done();
                });
                wg.await();
            }));
            Object ps = pProcessOf(evs, rt.toString());
            List<double[]> runs = evs.stream()
                    .filter(e -> e.get("ph").equals("X") && e.get("name").equals("G" + id[0]))
                    .filter(e -> e.get("pid").equals(ps))
                    .map(e -> new double[] {(Double) e.get("ts"), (Double) e.get("ts") + (Double) e.get("dur")})
                    .sorted(java.util.Comparator.comparingDouble(r -> r[0]))
                    .toList();
            // the first run, 20 after yields, one after the wait (a preemption may split one)
            assertTrue(runs.size() >= 22, "runs: " + runs.size());
            double gap = 0;
            for (int i = 1; i < runs.size(); i++) {
                assertTrue(runs.get(i)[0] >= runs.get(i - 1)[1] - 1e-3, "runs in order: " + runs.get(i)[0]);
                gap = Math.max(gap, runs.get(i)[0] - runs.get(i - 1)[1]);
            }
            assertTrue(gap >= 25_000, "the run after the wait starts ~30 ms later, not at once: " + gap + " us");
        }
    }

    /**
     * Per-P buffers rely on one writer per P at a time, handed over with the P. Stress that under
     * GOMAXPROCS changes (Ps added, removed and revived while goroutines run), and check what a
     * second writer would break: every goroutine that runs in the trace was created in it (the
     * runtime is fresh), each is created once, nothing is dropped, and runs nest in their Ms' P
     * slices.
     */
    @Test
    void traceStaysConsistentWhileGomaxprocsChanges() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<Throwable> resizeFailed =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread resizer = new Thread(() -> {
                int[] sizes = {1, 3, 4, 2, 1, 4};
                try {
                    for (int i = 0; !done.get(); i++) {
                        rt.gomaxprocs(sizes[i % sizes.length]);
                        Thread.sleep(2);
                    }
                } catch (Throwable e) {
                    resizeFailed.set(e);
                }
            });
            long[] sum = new long[1];
            String name = rt.toString(); // the trace names the runtime as it was when attached
            List<Map<String, Object>> evs = traceOf(() -> {
                resizer.start();
                try {
                    sum[0] = rt.run(() -> {
                        long total = 0;
                        for (int round = 0; round < 30; round++) {
                            Chan<Long> results = Chan.make(0);
                            for (int g = 0; g < 100; g++) {
                                long v = g;
                                Go.go(() -> {
                                    Go.yield();
                                    results.send(v);
                                });
                            }
                            for (int g = 0; g < 100; g++) {
                                total += results.recv();
                            }
                        }
                        return total;
                    });
                } finally {
                    done.set(true);
                    try {
                        resizer.join();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }
            });
            assertEquals(null, resizeFailed.get());
            assertEquals(30L * 4950, sum[0]);
            assertEquals(0.0, lastOtherData.get("droppedEvents"));
            Object ps = pProcessOf(evs, name);
            List<Object> created = evs.stream()
                    .filter(e ->
                            e.get("name").equals("GoCreate") && e.get("pid").equals(ps))
                    .map(e -> (Object) ((Map<?, ?>) e.get("args")).get("goid"))
                    .toList();
            assertEquals(3001, created.size(), "the main goroutine and 30 x 100");
            assertEquals(created.size(), new HashSet<>(created).size(), "each goroutine created once");
            Set<String> createdNames =
                    created.stream().map(g -> "G" + ((Double) g).longValue()).collect(Collectors.toSet());
            List<Map<String, Object>> slices =
                    evs.stream().filter(e -> e.get("ph").equals("X")).toList();
            Set<String> ran = slices.stream()
                    .filter(e -> e.get("pid").equals(ps) && ((String) e.get("name")).matches("G\\d+"))
                    .map(e -> (String) e.get("name"))
                    .collect(Collectors.toSet());
            assertEquals(createdNames, ran, "the goroutines that ran are the ones created");
            assertNested(slices);
        }
    }

    /** The trace's process id of the P tracks of the runtime named {@code runtimeName}. */
    private static Object pProcessOf(List<Map<String, Object>> evs, String runtimeName) {
        return evs.stream()
                .filter(e -> e.get("ph").equals("M") && e.get("name").equals("process_name"))
                .filter(e -> ((Map<?, ?>) e.get("args")).get("name").equals(runtimeName + " Ps"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no P process for " + runtimeName))
                .get("pid");
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
}
