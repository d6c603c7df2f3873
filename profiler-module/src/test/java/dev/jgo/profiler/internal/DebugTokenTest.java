package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

/** Issue 18: the debug server's optional bearer token: 401 without it, 200 with it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DebugTokenTest {
    private static final String TOKEN = "s3cr3t-Token_1";

    private static DebugServerTest.Answer get(DebugServer s, String target, String authorization) throws IOException {
        try (Socket c = new Socket("127.0.0.1", s.port())) {
            c.setSoTimeout(30_000);
            c.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: x\r\n"
                                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                                    + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            return DebugServerTest.read(c.getInputStream());
        }
    }

    private static DebugServer start(GoRuntime rt, String token) throws IOException {
        return DebugHttpServer.start(
                rt,
                "127.0.0.1",
                0,
                DebugHttpServer.DEFAULT_READ_HEADER_TIMEOUT,
                DebugHttpServer.DEFAULT_IDLE_TIMEOUT,
                Duration.ofMillis(1),
                token);
    }

    @Test
    void withATokenOnlyRequestsCarryingItAreAnswered() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(1).name("token-test").build()) {
            DebugServer s = start(rt, TOKEN);
            try {
                for (String target :
                        new String[] {"/debug/jgo/sched", "/debug/pprof/goroutine?debug=2", "/debug/pprof/"}) {
                    for (String auth :
                            new String[] {null, "Bearer wrong", "Bearer " + TOKEN + "x", "Basic " + TOKEN, "Bearer"}) {
                        DebugServerTest.Answer a = get(s, target, auth);
                        assertEquals(401, a.status(), target + " with " + auth);
                        assertEquals("Bearer realm=\"jgo debug\"", a.headers().get("www-authenticate"));
                        assertFalse(a.text().contains("token-test"), a.text());
                    }
                }
                DebugServerTest.Answer ok = get(s, "/debug/jgo/sched", "Bearer " + TOKEN);
                assertEquals(200, ok.status(), ok.text());
                assertTrue(ok.text().contains("token-test"), ok.text());
                ok = get(s, "/debug/jgo/sched", "bearer  " + TOKEN); // the scheme is case-insensitive
                assertEquals(200, ok.status(), ok.text());
            } finally {
                s.close();
            }
        }
    }

    @Test
    void withoutATokenEveryRequestIsAnswered() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(1).name("no-token-test").build()) {
            DebugServer s = start(rt, null);
            try {
                DebugServerTest.Answer a = get(s, "/debug/jgo/sched", null);
                assertEquals(200, a.status(), a.text());
                assertNull(a.headers().get("www-authenticate"));
            } finally {
                s.close();
            }
        }
    }

    @Test
    void aTokenAHeaderCannotCarryIsRefused() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            for (String bad : new String[] {"", "two words", "line\r\nbreak", "é"}) {
                assertThrows(
                        IllegalArgumentException.class, () -> start(rt, bad).close(), bad);
            }
        }
    }
}
