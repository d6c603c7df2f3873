package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * jgo-core's tests run without jgo-safepoint: GOMAXPROCS can be read and set to itself, a change
 * fails naming the module, and the runtime is unharmed.
 */
@Timeout(60)
class NoSafepointModuleTest {

    @Test
    void resizeFailsNamingTheModule() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            assertEquals(2, rt.gomaxprocs(0));
            assertEquals(2, rt.gomaxprocs(2), "no change needs no stop");
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> rt.gomaxprocs(3));
            assertTrue(e.getMessage().contains("jgo-safepoint"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> ((CoreRuntime) rt).safepoints());
            assertEquals(2, rt.gomaxprocs());
            assertEquals(7, rt.run(() -> 3 + 4));
        }
    }

    @Test
    void sizeAboveTheThreadLimitIsRefused() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).maxThreads(8).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rt.gomaxprocs(8));
            assertTrue(e.getMessage().contains("maxThreads"), e.getMessage());
            assertEquals(2, rt.gomaxprocs());
        }
    }
}
