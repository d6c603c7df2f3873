package dev.jgo.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.context.CancelContext;
import dev.jgo.context.Context;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code Net.dial(Context, host, port)}: Go's DialContext. */
@Timeout(60)
class DialContextTest {

    private static final String HOST = "127.0.0.1";

    @Test
    void dialsWithALiveContext() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            String got = rt.run(() -> {
                Listener l = Net.listen(HOST, 0);
                Go.go(() -> {
                    try (Conn c = l.accept()) {
                        c.write(ByteBuffer.wrap(new byte[] {'o', 'k'}));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                CancelContext ctx = Context.withCancel(Context.background());
                StringBuilder sb = new StringBuilder();
                try (Conn c = Net.dial(ctx, HOST, l.port())) {
                    ByteBuffer b = ByteBuffer.allocate(2);
                    while (b.hasRemaining() && c.read(b) >= 0) {
                        // read both bytes
                    }
                    sb.append(new String(b.array(), 0, b.position()));
                }
                try (Conn c2 = Net.dial(Context.background(), HOST, l.port())) {
                    sb.append('+');
                }
                ctx.cancel();
                l.close();
                return sb.toString();
            });
            assertEquals("ok+", got);
        }
    }

    @Test
    void doneContextFailsAtOnceAndErrorsPassThrough() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            rt.run(() -> {
                CancelContext ctx = Context.withCancel(Context.background());
                ctx.cancel();
                CancellationException e =
                        assertThrows(CancellationException.class, () -> Net.dial(ctx, HOST, closedPort));
                assertSame(Context.CANCELED, e);
                CancelContext live = Context.withCancel(Context.background());
                assertThrows(ConnectException.class, () -> Net.dial(live, HOST, closedPort));
                live.cancel();
            });
        }
    }

    /**
     * A connect that cannot complete (the listener's accept queue is full, so the kernel drops the
     * SYN) gives up when the context is cancelled. (This module's tests have no timer module, so
     * a goroutine cancels it rather than a deadline.)
     */
    @Test
    void cancelEndsAHangingDial() throws Exception {
        List<Socket> fill = new ArrayList<>();
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(HOST, 0), 1);
            for (int i = 0; i < 8; i++) {
                Socket f = new Socket();
                fill.add(f);
                try {
                    f.connect(new InetSocketAddress(HOST, s.getLocalPort()), 200);
                } catch (java.net.SocketTimeoutException full) {
                    break; // the queue is full now
                }
            }
            try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
                rt.run(() -> {
                    CancelContext ctx = Context.withCancel(Context.background());
                    Go.go(() -> {
                        long until = System.nanoTime() + 300_000_000L;
                        while (System.nanoTime() < until) {
                            Go.yield();
                        }
                        ctx.cancel();
                    });
                    long t0 = System.nanoTime();
                    CancellationException e =
                            assertThrows(CancellationException.class, () -> Net.dial(ctx, HOST, s.getLocalPort()));
                    long took = System.nanoTime() - t0;
                    assertSame(Context.CANCELED, e);
                    assertTrue(took < 20_000_000_000L, "gave up after " + took + " ns");
                });
            }
        } finally {
            for (Socket f : fill) {
                f.close();
            }
        }
    }
}
