package dev.jgo.profiler.testapp;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.prof.Pprof;
import dev.jgo.sync.Chan;
import java.util.concurrent.atomic.AtomicReference;

/** Child JVM of {@code GoroutineProfileTest}: prints a debug=2 dump with go call sites recorded. */
public final class CreatedByMain {
    private CreatedByMain() {}

    static void parkHere(Chan<Integer> c) {
        c.recv();
    }

    static Goroutine startChild(Chan<Integer> c) {
        return Go.go(() -> parkHere(c));
    }

    public static void main(String[] args) throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            Chan<Integer> c = Chan.make(0);
            AtomicReference<Goroutine> child = new AtomicReference<>();
            Chan<Integer> hold = Chan.make(0);
            rt.go(() -> {
                child.set(startChild(c));
                hold.recv(); // the creator stays alive
            });
            while (child.get() == null || child.get().state() != Goroutine.State.WAITING) {
                Thread.sleep(2);
            }
            Pprof.writeGoroutineProfile(System.out, 2);
            rt.go(() -> {
                c.close();
                hold.close();
            });
        }
    }
}
