package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.net.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** jgo-core's tests run without jgo-netpoll on the class path: the runtime works, dev.jgo.net fails clearly. */
@Timeout(60)
class NoNetpollModuleTest {

    @Test
    void runtimeWorksAndNetFailsNamingTheModule() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            assertEquals(3, rt.run(() -> 1 + 2));
            rt.run(() -> {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> Net.listen("127.0.0.1", 0));
                assertTrue(e.getMessage().contains("jgo-netpoll"), e.getMessage());
                e = assertThrows(IllegalStateException.class, () -> Net.dial("127.0.0.1", 1));
                assertTrue(e.getMessage().contains("jgo-netpoll"), e.getMessage());
            });
        }
    }
}
