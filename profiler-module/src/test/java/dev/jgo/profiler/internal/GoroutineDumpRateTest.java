package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.prof.DebugServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Goroutine dumps stop the world: each debug server takes at most one per interval (429 between). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GoroutineDumpRateTest {
    private static final Duration T = DebugHttpServer.DEFAULT_READ_HEADER_TIMEOUT;
    private static final Duration IDLE = DebugHttpServer.DEFAULT_IDLE_TIMEOUT;

    private static DebugServerTest.Answer get(DebugServer s, String target) throws IOException {
        try (Socket c = new Socket("127.0.0.1", s.port())) {
            c.setSoTimeout(30_000);
            c.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            return DebugServerTest.read(c.getInputStream());
        }
    }

    @Test
    void aSecondDumpWithinTheIntervalGets429AndOtherEndpointsStillAnswer() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            DebugServer s = DebugHttpServer.start(rt, "127.0.0.1", 0, T, IDLE, Duration.ofSeconds(30));
            DebugServer other = DebugHttpServer.start(rt, "127.0.0.1", 0, T, IDLE, Duration.ofSeconds(30));
            try {
                assertEquals(200, get(s, "/debug/pprof/goroutine?debug=2").status());
                for (String target : new String[] {"/debug/pprof/goroutine?debug=2", "/debug/pprof/goroutine"}) {
                    DebugServerTest.Answer a = get(s, target);
                    assertEquals(429, a.status(), a.text());
                    long retry = Long.parseLong(a.headers().get("retry-after"));
                    assertTrue(retry >= 1 && retry <= 30, "Retry-After " + retry);
                    assertTrue(a.text().contains("at most one every 30000 ms"), a.text());
                }
                // a bad parameter is still a 400, and the other endpoints are not limited
                assertEquals(400, get(s, "/debug/pprof/goroutine?debug=7").status());
                assertEquals(200, get(s, "/debug/jgo/sched").status());
                // the limit is per server
                assertEquals(200, get(other, "/debug/pprof/goroutine?debug=1").status());
            } finally {
                s.close();
                other.close();
            }
        }
    }

    @Test
    void aDumpIsServedAgainOnceTheIntervalHasPassed() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            DebugServer s = DebugHttpServer.start(rt, "127.0.0.1", 0, T, IDLE, Duration.ofMillis(300));
            try {
                assertEquals(200, get(s, "/debug/pprof/goroutine?debug=1").status());
                DebugServerTest.Answer a = get(s, "/debug/pprof/goroutine?debug=1");
                if (a.status() == 429) { // else the machine took over 300 ms between the requests
                    assertEquals("1", a.headers().get("retry-after"), "300 ms rounds up to 1 s");
                    Thread.sleep(1000);
                }
                assertEquals(200, get(s, "/debug/pprof/goroutine?debug=1").status(), "after Retry-After");
                // ten requests as fast as they come: no two dumps within 300 ms
                int allowed = 0;
                long start = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    if (get(s, "/debug/pprof/goroutine?debug=1").status() == 200) {
                        allowed++;
                    }
                }
                long spent = System.nanoTime() - start;
                long most = spent / TimeUnit.MILLISECONDS.toNanos(300) + 1;
                assertTrue(allowed <= most, allowed + " dumps in " + spent / 1_000_000 + " ms");
            } finally {
                s.close();
            }
        }
    }

    @Test
    void theIntervalMustBePositive() {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> DebugHttpServer.start(rt, "127.0.0.1", 0, T, IDLE, Duration.ZERO));
        }
    }
}
