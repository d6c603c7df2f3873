package dev.jgo.time;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.sync.Chan;
import dev.jgo.sync.Select;
import dev.jgo.sync.WaitGroup;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The channels/select/timers example of README.md, kept compiling and correct. */
@Timeout(30)
class ReadmeExampleTest {

    @Test
    void readmeExampleRuns() {
        try (GoRuntime rt = GoRuntime.builder().build()) {
            String got = rt.run(() -> {
                Chan<String> results = Chan.make(0);
                WaitGroup wg = new WaitGroup();
                for (int i = 0; i < 3; i++) {
                    int id = i;
                    wg.add(1);
                    Go.go(() -> {
                        Go.sleep(Duration.ofMillis(10 * id)); // parks the goroutine, not a thread
                        results.send("worker " + id);
                        wg.done();
                    });
                }
                String[] first = new String[1];
                Select.create()
                        .recv(results, v -> first[0] = v)
                        .recv(Time.after(Duration.ofSeconds(1)), t -> first[0] = "timeout")
                        .select();
                Go.go(() -> {
                    for (String r : results) {
                        assertTrue(r.startsWith("worker "));
                    }
                }); // drain the rest until closed
                Go.blocking(() -> {
                    Thread.sleep(1);
                    return null;
                }); // a blocking JDK call: the P is handed off
                wg.await();
                results.close();
                return first[0];
            });
            assertTrue(got.startsWith("worker "), got);
        }
    }
}
