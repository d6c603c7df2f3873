package dev.jgo.core.internal;

import dev.jgo.Go;
import dev.jgo.GoRuntime;

/**
 * Child-process entry of {@link JvmFlagsTest}: builds a default runtime, prints its GOMAXPROCS,
 * runs one goroutine and prints its result; with the argument {@code vt}, runs one virtual thread
 * of the runtime instead and prints whether it was virtual.
 */
public final class JvmFlagsProbe {
    private JvmFlagsProbe() {}

    public static void main(String[] args) throws InterruptedException {
        try (GoRuntime rt = GoRuntime.builder().build()) {
            if (args.length > 0 && args[0].equals("vt")) {
                boolean[] virtual = new boolean[1];
                Thread t = rt.virtualThreadBuilder()
                        .start(() -> virtual[0] = Thread.currentThread().isVirtual());
                t.join();
                System.out.println("vt " + virtual[0]);
                return;
            }
            System.out.println("procs " + rt.gomaxprocs());
            int r = rt.run(() -> {
                Go.yield();
                return 42;
            });
            System.out.println("result " + r);
        }
    }
}
