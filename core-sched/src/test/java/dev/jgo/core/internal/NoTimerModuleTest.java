package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.time.Time;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** jgo-core's tests run without jgo-timer on the class path: the runtime works, timers fail clearly. */
@Timeout(60)
class NoTimerModuleTest {

    @Test
    void runtimeWorksAndTimersFailNamingTheModule() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            assertNull(((CoreRuntime) rt).sched().timerFactory);
            assertEquals(3, rt.run(() -> 1 + 2));
            rt.run(() -> {
                IllegalStateException e =
                        assertThrows(IllegalStateException.class, () -> Go.sleep(Duration.ofMillis(1)));
                assertTrue(e.getMessage().contains("jgo-timer"), e.getMessage());
                e = assertThrows(IllegalStateException.class, () -> Time.after(Duration.ofMillis(1)));
                assertTrue(e.getMessage().contains("jgo-timer"), e.getMessage());
                assertThrows(IllegalStateException.class, () -> Time.newTicker(Duration.ofMillis(1)));
                Go.sleep(Duration.ZERO); // needs no timer
            });
        }
    }
}
