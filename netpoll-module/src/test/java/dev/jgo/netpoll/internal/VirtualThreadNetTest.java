package dev.jgo.netpoll.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import dev.jgo.sync.Chan;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** dev.jgo.net inside a JDK virtual thread of the runtime (issue 22): its waits park the thread. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualThreadNetTest {

    @Test
    void virtualThreadServesAGoroutineOverJgoNet() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().name("vtnet").procs(1).build()) {
            Chan<Integer> port = Chan.make(1);
            int[] served = {0};
            Thread server = rt.virtualThreadBuilder().start(() -> {
                try (Listener l = Net.listen("127.0.0.1", 0)) {
                    port.send(l.port());
                    try (Conn c = l.accept()) { // parks the virtual thread in the poller
                        ByteBuffer b = ByteBuffer.allocate(4);
                        while (b.hasRemaining() && c.read(b) >= 0) {}
                        b.flip();
                        served[0] = b.getInt();
                        c.write(ByteBuffer.allocate(4).putInt(0, served[0] + 1));
                    }
                } catch (Exception e) {
                    served[0] = -1;
                }
            });
            int answer = rt.run(() -> {
                try (Conn c = Net.dial("127.0.0.1", port.recv())) {
                    c.write(ByteBuffer.allocate(4).putInt(0, 41));
                    ByteBuffer b = ByteBuffer.allocate(4);
                    while (b.hasRemaining() && c.read(b) >= 0) {}
                    return b.getInt(0);
                }
            });
            assertTrue(server.join(Duration.ofSeconds(30)));
            assertEquals(41, served[0]);
            assertEquals(42, answer);
        }
    }
}
