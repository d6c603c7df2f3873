package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.prof.Pprof;
import dev.jgo.profiler.testapp.CreatedByMain;
import dev.jgo.profiler.testapp.UserCode;
import dev.jgo.spi.GoroutineInfo;
import dev.jgo.sync.Chan;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GoroutineProfileTest {

    static void awaitState(Goroutine g, Goroutine.State s) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (g.state() != s) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("goroutine " + g.id() + " never reached " + s + ", is " + g.state());
            }
            Thread.sleep(2);
        }
    }

    static String dump(int debug) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Pprof.writeGoroutineProfile(out, debug);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void debug2PrintsParkedGoroutineWithWaitReasonAndStack() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Chan<Integer> c = Chan.make(0);
            Goroutine g = rt.go(() -> UserCode.parkedInDistinctiveReceive(c));
            awaitState(g, Goroutine.State.WAITING);
            String text = dump(2);
            String header = "goroutine " + g.id() + " [chan receive]:\n";
            int at = text.indexOf(header);
            assertTrue(at >= 0, text);
            String block = text.substring(at, text.indexOf("\n\n", at));
            // frames as Go prints them: function(...) then a tab-indented file:line
            assertTrue(block.contains("\ndev.jgo.sync.Chan.recv(...)\n\tdev/jgo/sync/Chan.java:"), block);
            assertTrue(block.contains("UserCode.parkedInDistinctiveReceive(...)\n\t"), block);
            assertTrue(
                    block.lines()
                            .skip(1)
                            .allMatch(l ->
                                    l.endsWith("(...)") || l.matches("\t\\S+:\\d+") || l.startsWith("created by ")),
                    block);
            // started from a platform thread: no creating goroutine; the method that wrote the lambda
            assertTrue(
                    block.endsWith("\ncreated by " + GoroutineProfileTest.class.getName()
                            + ".debug2PrintsParkedGoroutineWithWaitReasonAndStack"),
                    block);
            assertFalse(block.contains("Continuation"), "carrier and continuation frames are trimmed: " + block);
            rt.go(() -> c.send(1));
            awaitState(g, Goroutine.State.DEAD);
        }
    }

    @Test
    void theDumpIsTakenWithTheWorldStopped() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            dev.jgo.spi.SafepointCoordinator sp = ((dev.jgo.spi.Scheduler) rt).safepoints();
            Chan<Integer> c = Chan.make(0);
            rt.go(() -> c.recv());
            long stops = sp.stats().stops();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            dev.jgo.prof.Pprof.writeGoroutineProfile(out, 1);
            assertEquals(stops + 1, sp.stats().stops(), "one stop-the-world for the snapshot");
            assertTrue(out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("goroutine profile: total"));
            c.trySend(1);
        }
    }

    @Test
    void debug2NamesTheMethodThatWroteTheFunctionByDefault() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Chan<Integer> c = Chan.make(0);
            AtomicReference<Goroutine> child = new AtomicReference<>();
            rt.run(() -> child.set(Go.go(() -> UserCode.parkedInDistinctiveReceive(c))));
            awaitState(child.get(), Goroutine.State.WAITING);
            GoroutineInfo gi = rt.view().goroutines().stream()
                    .filter(x -> x.id() == child.get().id())
                    .findFirst()
                    .orElseThrow();
            String by = GoroutineProfileTest.class.getName() + ".debug2NamesTheMethodThatWroteTheFunctionByDefault";
            assertEquals(by, gi.createdBy(), "the lambda's host class and the method javac named it after");
            assertEquals(0, gi.creatorGoid(), "creators are recorded only with -Djgo.gocallsite=true");
            assertNull(gi.createdAt(), "call sites are recorded only with -Djgo.gocallsite=true");
            String text = dump(2);
            int at = text.indexOf("goroutine " + child.get().id() + " [chan receive]:\n");
            String block = text.substring(at, text.indexOf("\n\n", at));
            assertTrue(block.endsWith("\ncreated by " + by), block);
            rt.go(() -> c.close());
        }
    }

    /**
     * With {@code -Djgo.gocallsite=true} (a child JVM) the line names the go call's method, the
     * creating goroutine and the call's file:line.
     */
    @Test
    void debug2WithCallSitesPrintsTheGoStatement() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process pr = new ProcessBuilder(
                        java,
                        "-ea",
                        "--add-exports",
                        "java.base/jdk.internal.vm=ALL-UNNAMED",
                        "-Djgo.gocallsite=true",
                        "-cp",
                        System.getProperty("java.class.path"),
                        CreatedByMain.class.getName())
                .redirectErrorStream(true)
                .start();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(pr.waitFor(50, TimeUnit.SECONDS), "child JVM hung");
        assertEquals(0, pr.exitValue(), out);
        int at = out.indexOf("CreatedByMain.parkHere(...)");
        assertTrue(at >= 0, out);
        String block = out.substring(at, out.indexOf("\n\n", at));
        String expected = "\ncreated by dev.jgo.profiler.testapp.CreatedByMain.startChild in goroutine ";
        assertTrue(block.contains(expected), block);
        String site = block.substring(block.indexOf(expected) + expected.length());
        assertTrue(site.matches("\\d+\n\tdev/jgo/profiler/testapp/CreatedByMain\\.java:\\d+"), site);
    }

    @Test
    void debug1GroupsIdenticalStacksWithCountsAndLabels() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Chan<Integer> c = Chan.make(0);
            Chan<Goroutine> started = Chan.make(3);
            rt.go(() -> Pprof.doWithLabels(Map.of("pool", "receivers"), () -> {
                for (int i = 0; i < 3; i++) {
                    started.send(Go.go(() -> UserCode.parkedInDistinctiveReceive(c)));
                }
            }));
            CompletableFuture<List<Goroutine>> gs = new CompletableFuture<>();
            rt.go(() -> gs.complete(List.of(started.recv(), started.recv(), started.recv())));
            for (Goroutine g : gs.get(20, TimeUnit.SECONDS)) {
                awaitState(g, Goroutine.State.WAITING);
            }
            String text = dump(1);
            assertTrue(text.startsWith("goroutine profile: total "), text);
            int at = text.indexOf("\n3 @ 0x");
            assertTrue(at >= 0, text);
            String block = text.substring(at + 1, text.indexOf("\n\n", at + 1));
            List<String> lines = block.lines().toList();
            assertTrue(lines.get(0).matches("3 @( 0x[0-9a-f]+)+"), lines.get(0));
            assertEquals("# labels: {\"pool\":\"receivers\"}", lines.get(1));
            assertTrue(
                    lines.stream()
                            .anyMatch(
                                    l -> l.matches("#\t0x[0-9a-f]+\tdev\\.jgo\\.sync\\.Chan\\.recv\\+0x0\t\\S+:\\d+")),
                    block);
            assertTrue(block.contains("parkedInDistinctiveReceive"), block);
            rt.go(() -> c.close());
        }
    }

    @Test
    void debug0IsAGzippedPprofProfile() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Chan<Integer> c = Chan.make(0);
            Goroutine g = rt.go(() -> UserCode.parkedInDistinctiveReceive(c));
            awaitState(g, Goroutine.State.WAITING);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Pprof.writeGoroutineProfile(out, 0);
            ProtoReader.Profile p = ProtoReader.profile(out.toByteArray());
            assertEquals(1, p.sampleTypes().size());
            assertEquals("goroutine", p.sampleTypes().get(0)[0]);
            assertEquals("count", p.sampleTypes().get(0)[1]);
            assertEquals(1, p.period());
            long total = p.samples().stream().mapToLong(s -> s.values()[0]).sum();
            assertTrue(total >= 1);
            assertTrue(
                    p.samples().stream()
                            .anyMatch(s -> p.functions(s).stream()
                                    .anyMatch(f -> f.endsWith("UserCode.parkedInDistinctiveReceive"))),
                    "the parked goroutine's stack is in the profile");
            rt.go(() -> c.close());
            awaitState(g, Goroutine.State.DEAD);
        }
    }

    @Test
    void labelsAreInheritedByGoroutinesStartedInsideAndRestoredAfter() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Chan<Integer> c = Chan.make(0);
            AtomicReference<Map<String, String>> after = new AtomicReference<>();
            AtomicReference<Map<String, String>> inner = new AtomicReference<>();
            Goroutine child = rt.run(() -> {
                Goroutine[] started = new Goroutine[1];
                Pprof.doWithLabels(
                        Map.of("request", "r1"),
                        () -> Pprof.doWithLabels(Map.of("stage", "parse"), () -> {
                            inner.set(dev.jgo.spi.Carrier.current().labels());
                            started[0] = Go.go(() -> UserCode.parkedInDistinctiveReceive(c));
                        }));
                after.set(dev.jgo.spi.Carrier.current().labels());
                return started[0];
            });
            assertEquals(Map.of("request", "r1", "stage", "parse"), inner.get());
            assertNull(after.get(), "labels are restored when doWithLabels returns");
            awaitState(child, Goroutine.State.WAITING);
            GoroutineInfo gi = rt.view().goroutines().stream()
                    .filter(x -> x.id() == child.id())
                    .findFirst()
                    .orElseThrow();
            assertEquals(Map.of("request", "r1", "stage", "parse"), gi.labels());
            assertEquals(WaitReason.CHAN_RECEIVE, gi.waitReason());
            assertTrue(gi.waitSinceNanos() != 0);
            rt.go(() -> c.close());
        }
    }

    @Test
    void runningGoroutineStackComesFromItsCarrier() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Goroutine g = rt.go(() -> CpuProfileTest.spinInDistinctiveMethod(stop));
            awaitState(g, Goroutine.State.RUNNING);
            try {
                GoroutineInfo gi = rt.view().goroutines().stream()
                        .filter(x -> x.id() == g.id())
                        .findFirst()
                        .orElseThrow();
                // RUNNING is set just before the continuation mounts, and the body needs a moment
                // to enter the method: its frames follow shortly
                for (int i = 0;
                        i < 1000
                                && gi.stack().stream()
                                        .noneMatch(e -> e.getMethodName().equals("spinInDistinctiveMethod"));
                        i++) {
                    Thread.sleep(2);
                    gi = rt.view().goroutines().stream()
                            .filter(x -> x.id() == g.id())
                            .findFirst()
                            .orElseThrow();
                }
                assertEquals(Goroutine.State.RUNNING, gi.state());
                assertTrue(
                        gi.stack().stream().anyMatch(e -> e.getMethodName().equals("spinInDistinctiveMethod")),
                        gi.stack().toString());
                assertFalse(gi.stack().stream().anyMatch(e -> e.getClassName().startsWith("jdk.internal.vm")));
                assertTrue(dump(2).contains("goroutine " + g.id() + " [running]:\n"));
            } finally {
                stop.set(true);
            }
        }
    }

    @Test
    void badDebugLevelIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Pprof.writeGoroutineProfile(new ByteArrayOutputStream(), 3));
        assertThrows(IllegalStateException.class, () -> Pprof.doWithLabels(Map.of("a", "b"), () -> {}));
    }
}
