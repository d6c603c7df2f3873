package dev.jgo.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.netpoll.internal.EchoServer;
import dev.jgo.netpoll.internal.HelloHttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The echo and HTTP hello examples, driven by plain blocking sockets from outside the runtime. */
@Timeout(60)
class ExamplesTest {

    private static String readN(InputStream in, int n) throws Exception {
        byte[] b = in.readNBytes(n);
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void echoAndHttpHelloWithKeepAliveAndPipelining() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            CompletableFuture<Integer> echoPort = new CompletableFuture<>();
            CompletableFuture<Integer> httpPort = new CompletableFuture<>();
            CompletableFuture<Void> stop = new CompletableFuture<>();
            Thread main = new Thread(() -> rt.run(() -> {
                try (Listener echo = Net.listen("127.0.0.1", 0);
                        Listener http = Net.listen("127.0.0.1", 0)) {
                    Go.go(() -> EchoServer.serve(echo));
                    Go.go(() -> HelloHttpServer.serve(http));
                    echoPort.complete(echo.port());
                    httpPort.complete(http.port());
                    Go.blocking(stop::get);
                }
                return null;
            }));
            main.start();
            try (Socket s = new Socket("127.0.0.1", echoPort.get())) {
                OutputStream o = s.getOutputStream();
                o.write("ping".getBytes(StandardCharsets.US_ASCII));
                assertEquals("ping", readN(s.getInputStream(), 4));
            }
            String req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
            String resp = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
            try (Socket s = new Socket("127.0.0.1", httpPort.get())) {
                OutputStream o = s.getOutputStream();
                InputStream in = s.getInputStream();
                o.write(req.getBytes(StandardCharsets.US_ASCII));
                assertEquals(resp, readN(in, resp.length()));
                o.write((req + req).getBytes(StandardCharsets.US_ASCII)); // keep-alive, pipelined
                assertEquals(resp + resp, readN(in, 2 * resp.length()));
                o.write("GET / HTTP/1.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(resp, readN(in, resp.length()));
                assertEquals(-1, in.read());
            }
            stop.complete(null);
            main.join();
            long end = System.nanoTime() + 5_000_000_000L;
            while (rt.numGoroutine() != 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertTrue(rt.numGoroutine() == 0, "goroutines left: " + rt.numGoroutine());
        }
    }
}
