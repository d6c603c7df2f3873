package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.prof.Pprof;
import dev.jgo.profiler.testapp.UserCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CpuProfileTest {
    static volatile long sink;

    /** Burns CPU until told to stop; its name must dominate the CPU profile. */
    static void spinInDistinctiveMethod(AtomicBoolean stop) {
        long x = 1;
        while (!stop.get()) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            sink = x;
        }
    }

    private static byte[] profileSpinningGoroutine(long millis) throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            rt.go(() -> Pprof.doWithLabels(Map.of("job", "spin"), () -> spinInDistinctiveMethod(stop)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Pprof.startCpuProfile(out);
            try {
                Thread.sleep(millis);
            } finally {
                Pprof.stopCpuProfile();
                stop.set(true);
            }
            return out.toByteArray();
        }
    }

    @Test
    void spinningMethodDominatesTheProfileWithLabels() throws Exception {
        ProtoReader.Profile p = ProtoReader.profile(profileSpinningGoroutine(1500));
        assertEquals("samples", p.sampleTypes().get(0)[0]);
        assertEquals("count", p.sampleTypes().get(0)[1]);
        assertEquals("cpu", p.sampleTypes().get(1)[0]);
        assertEquals("nanoseconds", p.sampleTypes().get(1)[1]);
        assertEquals("cpu", p.periodType()[0]);
        assertEquals(10_000_000L, p.period());
        long total = 0;
        long inSpin = 0;
        long outsideGoroutines = 0; // the other M's samples: runtime._System, _Idle
        for (ProtoReader.Profile.Sample s : p.samples()) {
            assertEquals(s.values()[0] * p.period(), s.values()[1], "cpu ns = samples * period");
            total += s.values()[0];
            if (p.functions(s).stream().anyMatch(f -> f.equals("runtime._System") || f.equals("runtime._Idle"))) {
                outsideGoroutines += s.values()[0];
            }
            // cumulative: a poll in an inlined callee (AtomicBoolean.get) may be the leaf
            if (p.functions(s).stream().anyMatch(f -> f.endsWith(".spinInDistinctiveMethod"))) {
                inSpin += s.values()[0];
                assertEquals("spin", s.strLabels().get("job"), "user labels on the sample");
                assertTrue(s.numLabels().containsKey("goroutine"), "goroutine id label on the sample");
            }
        }
        assertTrue(total >= 10, "too few samples: " + total);
        // The other M is idle: parked, or blocked in the network poll, which is not sampled
        // (a thread in epoll_wait reads RUNNABLE; counted, it took half the samples).
        assertTrue(
                inSpin * 2 > total,
                "spinInDistinctiveMethod should dominate: " + inSpin + " of " + total + ", " + outsideGoroutines
                        + " outside goroutines");
    }

    @Test
    void goToolPprofReadsTheProfile(@TempDir Path dir) throws Exception {
        Path go = findGo();
        Assumptions.assumeTrue(
                go != null,
                "skipped: Go is not installed (apt-get install golang-go) so 'go tool pprof' cannot be run");
        Path f = dir.resolve("cpu.pprof");
        Files.write(f, profileSpinningGoroutine(700));
        Process pr = new ProcessBuilder(go.toString(), "tool", "pprof", "-top", f.toString())
                .redirectErrorStream(true)
                .start();
        String text = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(pr.waitFor(50, TimeUnit.SECONDS), "go tool pprof hung");
        assertEquals(0, pr.exitValue(), text);
        assertTrue(text.contains("Type: cpu"), text);
        assertTrue(text.contains("CpuProfileTest.spinInDistinctiveMethod"), text);
    }

    @Test
    void goToolPprofReadsTheGoroutineProfile(@TempDir Path dir) throws Exception {
        Path go = findGo();
        Assumptions.assumeTrue(
                go != null,
                "skipped: Go is not installed (apt-get install golang-go) so 'go tool pprof' cannot be run");
        Path f = dir.resolve("goroutine.pprof");
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            dev.jgo.sync.Chan<Integer> c = dev.jgo.sync.Chan.make(0);
            dev.jgo.Goroutine g = rt.go(() -> UserCode.parkedInDistinctiveReceive(c));
            GoroutineProfileTest.awaitState(g, dev.jgo.Goroutine.State.WAITING);
            try (OutputStream out = Files.newOutputStream(f)) {
                Pprof.writeGoroutineProfile(out, 0);
            }
            rt.go(c::close);
        }
        Process pr = new ProcessBuilder(go.toString(), "tool", "pprof", "-top", f.toString())
                .redirectErrorStream(true)
                .start();
        String text = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(pr.waitFor(50, TimeUnit.SECONDS), "go tool pprof hung");
        assertEquals(0, pr.exitValue(), text);
        assertTrue(text.contains("Type: goroutine"), text);
        assertTrue(text.contains("parkedInDistinctiveReceive"), text);
    }

    @Test
    void blockingCallIsSampledUnderTheSyscallPseudoFrame() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            rt.go(() -> dev.jgo.Go.blocking(() -> {
                spinInDistinctiveMethod(stop);
                return null;
            }));
            Pprof.startCpuProfile(out);
            try {
                Thread.sleep(600);
            } finally {
                Pprof.stopCpuProfile();
                stop.set(true);
            }
        }
        ProtoReader.Profile p = ProtoReader.profile(out.toByteArray());
        assertTrue(
                p.samples().stream().anyMatch(s -> {
                    java.util.List<String> fs = p.functions(s);
                    return fs.stream().anyMatch(f -> f.endsWith(".spinInDistinctiveMethod"))
                            && fs.get(fs.size() - 1).equals("runtime._Syscall");
                }),
                "a sample of the blocking call, rooted at runtime._Syscall");
    }

    @Test
    void goroutineBlockedInNativeReadInsideBlockingIsOffCpu() throws Exception {
        java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            try {
                rt.go(() -> spinInDistinctiveMethod(stop)); // on CPU: samples
                dev.jgo.Goroutine reader = rt.go(() -> {
                    try {
                        UserCode.blockedInNativeRead(pipe.source());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                // until its carrier waits in the native read: RUNNABLE, as a thread on CPU reads
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                boolean waiting = false;
                while (!waiting && System.nanoTime() < deadline) {
                    for (dev.jgo.spi.MachineInfo m : rt.view().machines(true)) {
                        waiting |= m.goid() == reader.id()
                                && m.thread().getState() == Thread.State.RUNNABLE
                                && m.stack().stream()
                                        .anyMatch(e -> e.getMethodName().equals("read"));
                    }
                    Thread.sleep(5);
                }
                assertTrue(waiting, "the reader waits in the native read");
                Pprof.startCpuProfile(out);
                try {
                    Thread.sleep(1000);
                } finally {
                    Pprof.stopCpuProfile();
                }
            } finally {
                stop.set(true);
                pipe.sink().write(java.nio.ByteBuffer.wrap(new byte[] {1})); // the reader returns
            }
        } finally {
            pipe.sink().close();
            pipe.source().close();
        }
        ProtoReader.Profile p = ProtoReader.profile(out.toByteArray());
        long spin = 0;
        for (ProtoReader.Profile.Sample s : p.samples()) {
            java.util.List<String> fs = p.functions(s);
            assertTrue(
                    fs.stream().noneMatch(f -> f.endsWith(".blockedInNativeRead")),
                    "a goroutine blocked in a native read is off CPU: " + fs);
            if (fs.stream().anyMatch(f -> f.endsWith(".spinInDistinctiveMethod"))) {
                spin += s.values()[0];
            }
        }
        assertTrue(spin >= 10, "the spinner is sampled: " + spin);
    }

    static Path findGo() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, "go");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Test
    void secondStartThrowsAndStopWithoutStartIsANoOp() {
        Pprof.stopCpuProfile();
        Pprof.startCpuProfile(new ByteArrayOutputStream());
        try {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> Pprof.startCpuProfile(new ByteArrayOutputStream()));
            assertTrue(e.getMessage().contains("already"), e.getMessage());
        } finally {
            Pprof.stopCpuProfile();
        }
        Pprof.stopCpuProfile();
    }

    @Test
    void failingStreamStopsTheProfileAndReportsTheError() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }
        };
        Pprof.startCpuProfile(broken);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, Pprof::stopCpuProfile);
        assertEquals("disk full", e.getCause().getMessage());
        // stopped cleanly: a new profile can start
        Pprof.startCpuProfile(new ByteArrayOutputStream());
        Pprof.stopCpuProfile();
        assertThrows(IllegalArgumentException.class, () -> JgoProfiler.setCpuProfileRate(0));
    }
}
