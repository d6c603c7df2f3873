package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.prof.DebugServer;
import dev.jgo.profiler.testapp.UserCode;
import dev.jgo.sync.Chan;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A debug server shows its own runtime; the other runtimes of the JVM only with all=1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DebugServerScopeTest {

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
    void onlyTheServersRuntimeUnlessAllIsAsked() throws Exception {
        try (GoRuntime own = GoRuntime.builder().procs(1).name("scope-own").build();
                GoRuntime other =
                        GoRuntime.builder().procs(1).name("scope-other").build()) {
            Chan<Integer> c = Chan.make(0);
            Goroutine g = other.go(() -> UserCode.parkedInDistinctiveReceive(c));
            GoroutineProfileTest.awaitState(g, Goroutine.State.WAITING);
            DebugServer s = DebugHttpServer.start(
                    own,
                    "127.0.0.1",
                    0,
                    DebugHttpServer.DEFAULT_READ_HEADER_TIMEOUT,
                    DebugHttpServer.DEFAULT_IDLE_TIMEOUT,
                    Duration.ofMillis(1));
            try {
                DebugServerTest.Answer mine = get(s, "/debug/jgo/sched");
                assertEquals(200, mine.status());
                assertTrue(mine.text().contains("scope-own"), mine.text());
                assertFalse(mine.text().contains("scope-other"), mine.text());
                DebugServerTest.Answer all = get(s, "/debug/jgo/sched?all=1");
                assertTrue(all.text().contains("scope-own") && all.text().contains("scope-other"), all.text());

                Thread.sleep(5); // past the 1 ms between dumps
                DebugServerTest.Answer dump = get(s, "/debug/pprof/goroutine?debug=2");
                assertEquals(200, dump.status(), dump.text());
                assertFalse(dump.text().contains("parkedInDistinctiveReceive"), dump.text());
                Thread.sleep(5);
                DebugServerTest.Answer dumpAll = get(s, "/debug/pprof/goroutine?debug=2&all=1");
                assertEquals(200, dumpAll.status(), dumpAll.text());
                assertTrue(dumpAll.text().contains("parkedInDistinctiveReceive"), dumpAll.text());

                assertEquals(400, get(s, "/debug/jgo/sched?all=2").status());
            } finally {
                s.close();
                c.close();
            }
        }
    }
}
