package dev.jgo.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing a runtime with sleeping goroutines (issue 16, item 9): no "panic ... cannot sleep:
 * runtime is closed" is printed, neither for a goroutine asleep at close nor for one that starts
 * a sleep while close waits for it; close reports what it abandoned once, through System.Logger.
 */
@Timeout(60)
class CloseSleepersTest {

    @Test
    void closeWithSleepersReportsOnceAndPrintsNoPanic() throws Exception {
        Logger jul = Logger.getLogger("dev.jgo");
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        jul.addHandler(h);
        PrintStream systemErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GoRuntime rt = GoRuntime.builder().name("sleepclose").procs(2).build();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CountDownLatch ready = new CountDownLatch(4);
            for (int i = 0; i < 3; i++) {
                rt.go(() -> {
                    ready.countDown();
                    Go.sleep(Duration.ofSeconds(60)); // still asleep at close
                });
            }
            java.util.concurrent.atomic.AtomicBoolean go = new java.util.concurrent.atomic.AtomicBoolean();
            rt.go(() -> {
                ready.countDown();
                while (!go.get()) {
                    Thread.onSpinWait(); // keeps its carrier: close waits for it
                }
                Go.sleep(Duration.ofSeconds(1)); // refused: the runtime is closing
            });
            assertTrue(ready.await(10, TimeUnit.SECONDS));
            Thread.sleep(100); // the sleepers park
            Thread closer = new Thread(rt::close);
            closer.start();
            Thread.sleep(300); // close has begun and waits for the spinning goroutine's carrier
            go.set(true);
            closer.join(30_000);
            assertFalse(closer.isAlive());
            System.setErr(systemErr);
            String printed = err.toString(StandardCharsets.UTF_8);
            assertFalse(printed.contains("panic"), printed);
            assertFalse(printed.contains("cannot sleep"), printed);
            List<String> reports = records.stream()
                    .map(LogRecord::getMessage)
                    .filter(m -> m.contains("'sleepclose' closed with"))
                    .toList();
            assertEquals(1, reports.size(), reports::toString);
            assertTrue(reports.get(0).contains("3 sleep"), reports.get(0));
        } finally {
            System.setErr(systemErr);
            jul.removeHandler(h);
            rt.close();
        }
    }
}
