package dev.jgo.core.internal;

import dev.jgo.Go;
import dev.jgo.GoRuntime;

/**
 * Child-process entry of {@link JvmFlagsTest}: builds a default runtime, prints its GOMAXPROCS,
 * runs one goroutine and prints its result.
 */
public final class JvmFlagsProbe {
    private JvmFlagsProbe() {}

    public static void main(String[] args) {
        try (GoRuntime rt = GoRuntime.builder().build()) {
            System.out.println("procs " + rt.gomaxprocs());
            int r = rt.run(() -> {
                Go.yield();
                return 42;
            });
            System.out.println("result " + r);
        }
    }
}
