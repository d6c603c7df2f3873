package dev.jgo.core.internal;

import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import java.lang.reflect.Method;

/**
 * Child-process entry of {@link ColdStartTest}: the time from {@code builder().build()} to the
 * first goroutine's first statement in a fresh JVM, whether InlineGuard's directive was already
 * added then, and the directive's status once it is done.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        try (GoRuntime rt = GoRuntime.builder().build()) {
            long[] started = new long[1];
            boolean addedWhenStarted = rt.run(() -> {
                started[0] = System.nanoTime();
                // InlineGuard is loaded by now (build() made carriers): asking does not start it
                Method added = Class.forName("dev.jgo.spi.InlineGuard").getDeclaredMethod("added");
                added.setAccessible(true);
                return (Boolean) added.invoke(null);
            });
            System.out.println("first-goroutine-ms " + (started[0] - t0) / 1_000_000);
            System.out.println("directive-added-before-it " + addedWhenStarted);
        }
        System.out.println("inline-guard " + Carrier.inlineGuardStatus());
    }
}
