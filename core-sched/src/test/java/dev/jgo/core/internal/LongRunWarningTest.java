package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.testapp.UserCode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code Builder.longRunWarning}: {@link LongRunWatch}'s report, its count, what restarts its clock. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LongRunWarningTest {
    /** A time slice longer than the test: sysmon never asks the spinner to yield. */
    private static final FairnessPolicy NO_PREEMPTION =
            FairnessPolicy.of("long-slice", 61, true, true, 600_000_000_000L, 0);

    private static long warnings(GoRuntime rt) {
        return rt.view().sysmon().longRunWarnings();
    }

    @Test
    void aGoroutineKeepingItsPIsReportedOnceWithIdNameAndStack() {
        try (LogCapture log = new LogCapture();
                GoRuntime rt = GoRuntime.builder()
                        .procs(2)
                        .fairnessPolicy(NO_PREEMPTION)
                        .longRunWarning(Duration.ofMillis(200))
                        .build()) {
            long id = rt.run(() -> {
                UserCode.spinWithoutPreemptionPoints(TimeUnit.MILLISECONDS.toNanos(1500)); // 7 thresholds long
                return Go.id();
            });
            List<LogRecord> rs = log.find(Level.WARNING, "without reaching a preemption point");
            assertEquals(
                    1,
                    rs.size(),
                    "reported once per run: "
                            + rs.stream().map(LogRecord::getMessage).toList());
            String msg = rs.get(0).getMessage();
            assertTrue(msg.contains("goroutine " + id + " (goroutine " + id + ")"), msg);
            assertTrue(msg.contains(UserCode.class.getName() + ".spinWithoutPreemptionPoints(...)"), msg);
            assertTrue(msg.contains("dev/jgo/testapp/UserCode.java:"), msg);
            for (String runtime : List.of("M.", "Schedule.", "FindRunnable.", "LockedM.", "Syscall.")) {
                assertTrue(!msg.contains("dev.jgo.core.internal." + runtime), "only the user's frames: " + msg);
            }
            assertEquals(1, warnings(rt));
        }
    }

    @Test
    void aCheckpointRestartsTheClockEvenWithoutYielding() {
        try (LogCapture log = new LogCapture();
                GoRuntime rt = GoRuntime.builder()
                        .procs(1)
                        .fairnessPolicy(NO_PREEMPTION)
                        .longRunWarning(Duration.ofMillis(200))
                        .build()) {
            long ticks = rt.run(() -> {
                long before = rt.view().counters().schedticks();
                UserCode.spinWithCheckpoints(TimeUnit.MILLISECONDS.toNanos(1500));
                return rt.view().counters().schedticks() - before;
            });
            assertEquals(0, ticks, "the checkpoints did not yield (nothing asked them to)");
            assertEquals(
                    0,
                    warnings(rt),
                    () -> "no warning: "
                            + log.all().stream().map(LogRecord::getMessage).toList());
        }
    }

    @Test
    void offByDefault() {
        try (LogCapture log = new LogCapture();
                GoRuntime rt = GoRuntime.builder()
                        .procs(2)
                        .fairnessPolicy(NO_PREEMPTION)
                        .build()) {
            rt.run(() -> UserCode.spinWithoutPreemptionPoints(TimeUnit.MILLISECONDS.toNanos(300)));
            assertEquals(0, warnings(rt));
            assertTrue(log.find(Level.WARNING, "preemption point").isEmpty());
        }
    }
}
