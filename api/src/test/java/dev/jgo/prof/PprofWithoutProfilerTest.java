package dev.jgo.prof;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The api module's tests run without jgo-profiler on the class path. */
@Timeout(10)
class PprofWithoutProfilerTest {

    @Test
    void everyCallFailsWithAClearMessage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Pprof.startCpuProfile(out));
        assertTrue(e.getMessage().contains("jgo-profiler"), e.getMessage());
        assertThrows(IllegalStateException.class, Pprof::stopCpuProfile);
        assertThrows(IllegalStateException.class, () -> Pprof.writeGoroutineProfile(out, 2));
        assertThrows(IllegalStateException.class, () -> Pprof.doWithLabels(Map.of(), () -> {}));
        assertThrows(IllegalStateException.class, () -> Trace.start(out));
        assertThrows(IllegalStateException.class, Trace::stop);
    }

    @Test
    void argumentsAreCheckedFirst() {
        assertThrows(NullPointerException.class, () -> Pprof.startCpuProfile(null));
        assertThrows(
                IllegalArgumentException.class, () -> Pprof.writeGoroutineProfile(new ByteArrayOutputStream(), -1));
    }
}
