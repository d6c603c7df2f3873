package dev.jgo.osgi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.spi.SpinPolicy;
import dev.jgo.spi.StealPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RuntimeSettingsTest {

    @Test
    void configurationWinsOverFrameworkProperties() {
        RuntimeSettings s = RuntimeSettings.from(
                Map.of("procs", 3, "stealPolicy", "tokio"),
                k -> Map.of("jgo.procs", "7", "jgo.spinPolicy", "goStrict", "jgo.name", "fw")
                        .get(k));
        assertEquals(3, s.procs());
        assertEquals("fw", s.name());
        assertSame(StealPolicy.tokio(), s.stealPolicy());
        assertSame(SpinPolicy.goStrict(), s.spinPolicy());
        assertFalse(s.randomize());
    }

    @Test
    void everyPolicyNameOfTheCommandLineIsAccepted() {
        RuntimeSettings s = RuntimeSettings.from(
                Map.of(),
                k -> Map.of(
                                "jgo.stealPolicy", "linear",
                                "jgo.spinPolicy", "none",
                                "jgo.fairnessPolicy", "nobudget",
                                "jgo.timers", "wheel")
                        .get(k));
        assertEquals("linear", s.stealPolicy().name());
        assertEquals("none", s.spinPolicy().name());
        assertEquals("nobudget", s.fairnessPolicy().name());
        assertEquals("wheel", s.timers());
    }

    @Test
    void defaults() {
        RuntimeSettings s = RuntimeSettings.from(Map.of(), k -> null);
        assertEquals(Runtime.getRuntime().availableProcessors(), s.procs());
        assertEquals("jgo-osgi", s.name());
        assertSame(StealPolicy.go(), s.stealPolicy());
        assertTrue(s.maxThreads() > s.procs());
    }

    @Test
    void badValuesListWhatIsValid() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> RuntimeSettings.from(Map.of("procs", "0"), k -> null));
        assertTrue(e.getMessage().contains("valid values are integers >= 1"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> RuntimeSettings.from(Map.of("procs", "many"), k -> null));
        assertTrue(e.getMessage().contains("invalid procs 'many'"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> RuntimeSettings.from(Map.of(), k -> k.equals("jgo.stealPolicy") ? "fifo" : null));
        assertTrue(e.getMessage().contains("valid values are go, linear, sticky, tokio, kotlin"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> RuntimeSettings.from(Map.of("spinPolicy", "x"), k -> null));
        assertTrue(e.getMessage().contains("valid values are go, go-strict, one, none"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> RuntimeSettings.from(Map.of("fairnessPolicy", "tokio"), k -> null));
        assertTrue(e.getMessage().contains("valid values are go, nobudget"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> RuntimeSettings.from(Map.of("randomizeScheduler", "yes"), k -> null));
        assertTrue(e.getMessage().contains("true, false"), e.getMessage());
    }
}
