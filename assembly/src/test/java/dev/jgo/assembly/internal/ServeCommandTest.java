package dev.jgo.assembly.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 18, item 1: {@code jgo serve} keeps serving through accept errors and fails loudly when its server ends. */
class ServeCommandTest {

    /** A listener whose accept always throws {@code failure}. */
    private static Listener failing(Listener l, Exception failure) {
        return new Listener() {
            @Override
            public Conn accept() throws IOException {
                if (failure instanceof IOException io) {
                    throw io;
                }
                throw (RuntimeException) failure;
            }

            @Override
            public int port() {
                return l.port();
            }

            @Override
            public void close() {
                l.close();
            }
        };
    }

    private static void assertServeFails(Exception failure) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> ServeCommand.run(
                        List.of("--port", "0", "--procs", "2", "--seconds", "30"),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        l -> failing(l, failure)));
        assertTrue(e.getMessage().contains("server ended on an error"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(25), "it waited out --seconds");
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("stopped"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aServerEndingOnAnErrorFailsTheCommand() {
        assertServeFails(new IllegalStateException("broken runtime"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aListenerClosedUnderneathFailsTheCommand() {
        assertServeFails(new SocketException("accept tcp :1: use of closed network connection"));
    }

    /**
     * The operator's case: {@code jgo serve} in a child JVM under {@code ulimit -n 256}; 400 held
     * connections exhaust its descriptors (accept fails with EMFILE); once they are closed, the
     * server answers again.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void serveOutlivesRunningOutOfFileDescriptors() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = "ulimit -n 256 && exec '" + java + "' -ea --add-exports java.base/jdk.internal.vm=ALL-UNNAMED"
                + " -cp '" + System.getProperty("java.class.path") + "' " + Main.class.getName()
                + " serve --http --port 0 --procs 2 --seconds 90";
        Process pr =
                new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        List<Socket> held = new ArrayList<>();
        StringBuilder log = new StringBuilder();
        try {
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(pr.getInputStream(), StandardCharsets.UTF_8))) {
                    Pattern p = Pattern.compile("serving HTTP hello on 127\\.0\\.0\\.1:(\\d+)");
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (log) {
                            log.append(line).append('\n');
                        }
                        Matcher m = p.matcher(line);
                        if (m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException e) {
                    // the child ended
                }
                port.complete(-1);
            });
            reader.setDaemon(true);
            reader.start();
            int pt = port.get(60, TimeUnit.SECONDS);
            assertTrue(pt > 0, log.toString());
            assertEquals("hello", hello(pt));
            for (int i = 0; i < 400; i++) {
                held.add(new Socket("127.0.0.1", pt)); // the kernel's backlog takes what accept cannot
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!log.toString().contains("accept error")) {
                assertTrue(System.nanoTime() < deadline, "no accept error logged: " + log);
                assertTrue(pr.isAlive(), "the server ended: " + log);
                Thread.sleep(20);
            }
            Thread.sleep(2_000); // several retries at growing delays, all one burst
            for (Socket s : held) {
                s.close();
            }
            held.clear();
            assertEquals("hello", hello(pt), log.toString());
            assertTrue(pr.isAlive(), "the server ended: " + log);
            synchronized (log) {
                assertEquals(1, log.toString().split("accept error", -1).length - 1, "one warning per burst: " + log);
                assertFalse(log.toString().contains("stopped"), log.toString());
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
            pr.destroyForcibly();
            pr.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** One GET on a fresh connection; the body. */
    private static String hello(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream()
                    .write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(r.startsWith("HTTP/1.1 200 OK"), r);
            return r.substring(r.indexOf("\r\n\r\n") + 4);
        }
    }
}
