package example;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import java.time.Duration;

/** Sends a value between two goroutines after a sleep, as a consumer of jgo's artifacts would. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            long got = rt.run(() -> {
                Chan<Long> c = Chan.make(0);
                Go.go(() -> {
                    Go.sleep(Duration.ofMillis(5));
                    c.send(42L);
                });
                return c.recv();
            });
            System.out.println("consumer got " + got);
        }
    }
}
