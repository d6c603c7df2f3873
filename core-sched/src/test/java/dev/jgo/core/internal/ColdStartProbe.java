package dev.jgo.core.internal;

import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;

/**
 * Child-process entry of {@link ColdStartTest}, the first runtime of a fresh JVM: builds a default
 * runtime, starts one goroutine, and prints the time from the call of {@code build()} to the
 * goroutine's first line ({@code first-ms}), the InlineGuard status the goroutine saw, and whether
 * the JVM's directive stack then holds InlineGuard's directive.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        long[] firstLine = new long[1];
        String[] statusSeen = new String[1];
        CountDownLatch ran = new CountDownLatch(1);
        try (GoRuntime rt = GoRuntime.builder().build()) {
            rt.go(() -> {
                firstLine[0] = System.nanoTime();
                statusSeen[0] = Carrier.inlineGuardStatus();
                ran.countDown();
            });
            if (!ran.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("the first goroutine did not run in 20 s");
            }
        }
        Object printed = ManagementFactory.getPlatformMBeanServer()
                .invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"),
                        "compilerDirectivesPrint",
                        new Object[] {new String[0]},
                        new String[] {String[].class.getName()});
        System.out.println("first-ms " + TimeUnit.NANOSECONDS.toMillis(firstLine[0] - t0));
        System.out.println("status " + statusSeen[0]);
        System.out.println("directive-in-stack " + String.valueOf(printed).contains("java/util/concurrent/locks/*.*"));
    }
}
