package dev.jgo.core.internal;

import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;

/**
 * Child-process entry of {@link ColdStartTest}: the time from {@code builder().build()} to the
 * first goroutine's first statement in a fresh JVM, then the compiler directive's status.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {}

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        try (GoRuntime rt = GoRuntime.builder().build()) {
            long started = rt.run(System::nanoTime);
            System.out.println("first-goroutine-ms " + (started - t0) / 1_000_000);
        }
        System.out.println("inline-guard " + Carrier.inlineGuardStatus());
    }
}
