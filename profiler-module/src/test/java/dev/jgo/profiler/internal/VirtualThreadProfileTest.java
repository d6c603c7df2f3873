package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.prof.Trace;
import dev.jgo.sync.Chan;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** JDK virtual threads of a runtime (issue 22) in the goroutine dump and the execution trace. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualThreadProfileTest {

    @Test
    void dumpShowsVirtualThreadsWithTheirJdkStateAndStack() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtprof").procs(2).build()) {
            Chan<Integer> c = Chan.make(0);
            Thread sleeper = rt.virtualThreadBuilder()
                    .name("sleeper")
                    .start(dev.jgo.profiler.testapp.UserCode::sleepingInDistinctiveFrame);
            Thread receiver = rt.virtualThreadBuilder().name("receiver").start(c::recv);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                String text;
                do {
                    Thread.sleep(10);
                    text = GoroutineProfileTest.dump(2);
                } while (!(text.contains("[virtual thread TIMED_WAITING]") && text.contains("[chan receive]"))
                        && System.nanoTime() < deadline);
                int at = text.indexOf("[virtual thread TIMED_WAITING]");
                assertTrue(at >= 0, text);
                String block =
                        text.substring(at, text.indexOf("\n\n", at) < 0 ? text.length() : text.indexOf("\n\n", at));
                assertTrue(block.contains("sleepingInDistinctiveFrame"), block);
                assertTrue(block.contains("created by virtual thread #" + sleeper.threadId() + " \"sleeper\""), block);
                assertTrue(text.contains("created by virtual thread #" + receiver.threadId() + " \"receiver\""), text);
            } finally {
                sleeper.interrupt();
                c.trySend(1);
            }
            assertTrue(sleeper.join(Duration.ofSeconds(30)) && receiver.join(Duration.ofSeconds(30)));
        }
    }

    /** The CPU profile samples a running virtual thread's own frames, with its goroutine id. */
    @Test
    void cpuProfileSamplesTheVirtualThreadsFrames() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtcpu").procs(2).build()) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread spinner = rt.virtualThreadBuilder().start(() -> CpuProfileTest.spinInDistinctiveMethod(stop));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            dev.jgo.prof.Pprof.startCpuProfile(out);
            try {
                Thread.sleep(1000);
            } finally {
                dev.jgo.prof.Pprof.stopCpuProfile();
                stop.set(true);
            }
            assertTrue(spinner.join(Duration.ofSeconds(30)));
            ProtoReader.Profile p = ProtoReader.profile(out.toByteArray());
            long inSpin = 0;
            for (ProtoReader.Profile.Sample s : p.samples()) {
                if (p.functions(s).stream().anyMatch(f -> f.endsWith(".spinInDistinctiveMethod"))) {
                    inSpin += s.values()[0];
                    assertTrue(s.numLabels().containsKey("goroutine"), "goroutine id label on the sample");
                }
            }
            assertTrue(inSpin >= 3, "samples in the virtual thread's frame: " + inSpin);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void traceShowsVirtualThreadRunsAsGoroutines() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vttrace").procs(2).build()) {
            rt.run(() -> {}); // warm up before tracing
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CountDownLatch done = new CountDownLatch(1);
            Trace.start(out);
            try {
                rt.virtualThreadBuilder().start(() -> {
                    for (int i = 0; i < 20; i++) {
                        Thread.yield(); // a run per yield
                    }
                    done.countDown();
                });
                assertTrue(done.await(30, TimeUnit.SECONDS));
                Thread.sleep(50);
            } finally {
                Trace.stop();
            }
            Map<String, Object> root = (Map<String, Object>) MiniJson.parse(out.toString(StandardCharsets.UTF_8));
            List<Map<String, Object>> evs = (List<Map<String, Object>>) (List<?>) root.get("traceEvents");
            long runs = evs.stream()
                    .filter(e -> e.get("ph").equals("X") && ((String) e.get("name")).matches("G\\d+"))
                    .count();
            assertTrue(runs >= 20, "runs of the virtual thread's G: " + runs);
            assertTrue(evs.stream().anyMatch(e -> "GoCreate".equals(e.get("name"))), "GoCreate");
        }
    }
}
