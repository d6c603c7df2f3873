package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.prof.Pprof;
import dev.jgo.prof.Trace;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** jgo-core's tests run without jgo-profiler on the class path: the runtime works, profiling fails clearly. */
@Timeout(60)
class NoProfilerModuleTest {

    @Test
    void runtimeWorksAndProfilingFailsNamingTheModule() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            assertEquals(3, rt.run(() -> 1 + 2));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<org.junit.jupiter.api.function.Executable> uses = List.of(
                    () -> Pprof.startCpuProfile(out),
                    Pprof::stopCpuProfile,
                    () -> Pprof.writeGoroutineProfile(out, 2),
                    () -> Trace.start(out),
                    Trace::stop);
            for (var use : uses) {
                IllegalStateException e = assertThrows(IllegalStateException.class, use);
                assertTrue(e.getMessage().contains("jgo-profiler"), e.getMessage());
            }
            rt.run(() -> {
                IllegalStateException e =
                        assertThrows(IllegalStateException.class, () -> Pprof.doWithLabels(Map.of("k", "v"), () -> {}));
                assertTrue(e.getMessage().contains("jgo-profiler"), e.getMessage());
            });
            assertEquals(7, rt.run(() -> 3 + 4), "still running after the failed calls");
            assertEquals(0, out.size());
        }
    }
}
