package dev.jgo.core.internal;

import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * Child-process entry of {@link ColdStartTest}, the first runtime of a fresh JVM.
 *
 * <ul>
 *   <li>{@code first}: builds a default runtime, starts one goroutine, and prints the time from
 *       the call of {@code build()} to the goroutine's first line ({@code first-ms}), the
 *       InlineGuard status the goroutine saw, and whether the JVM's directive stack then holds
 *       InlineGuard's directive.
 *   <li>{@code overlap}: builds a default runtime and starts no goroutine; prints whether the
 *       platform MBean server (the directive's install) came up within 10 s all the same.
 * </ul>
 */
public final class ColdStartProbe {
    private ColdStartProbe() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("overlap")) {
            try (GoRuntime rt = GoRuntime.builder().build()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                boolean started = false;
                // findMBeanServer lists the platform server from its creation, before its MBeans.
                while (!(started = !MBeanServerFactory.findMBeanServer(null).isEmpty())
                        && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                System.out.println("install-started " + started);
                System.out.println("status " + Carrier.inlineGuardStatus());
            }
            return;
        }
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
