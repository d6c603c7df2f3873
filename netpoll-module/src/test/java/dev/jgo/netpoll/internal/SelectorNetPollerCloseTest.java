package dev.jgo.netpoll.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** close(), what the DS component calls when the jgo-netpoll bundle stops: waiters wake, nothing hangs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelectorNetPollerCloseTest {

    private static long pollerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("jgo-netpoll"))
                .count();
    }

    private static String trace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    @Test
    void closeWakesBlockedGoroutinesEndsItsThreadAndRefusesNewWork() throws Exception {
        long threadsBefore = pollerThreads();
        SelectorNetPoller p = new SelectorNetPoller();
        p.init();
        assertEquals(threadsBefore, pollerThreads(), "the own thread starts only when a goroutine waits");
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Listener l = p.listen("127.0.0.1", 0);
            // A plain socket, outside the poller: closing the poller must be what wakes the reader.
            java.net.Socket peer = new java.net.Socket("127.0.0.1", l.port());
            CountDownLatch accepted = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch woke = new CountDownLatch(2);
            AtomicReference<Conn> conn = new AtomicReference<>();
            AtomicReference<Throwable> acceptErr = new AtomicReference<>();
            AtomicReference<Throwable> readErr = new AtomicReference<>();
            rt.go(() -> {
                try {
                    conn.set(l.accept()); // the plain socket's connection
                    accepted.countDown();
                    conn.get().read(ByteBuffer.allocate(8)); // nothing is ever sent
                } catch (Throwable t) {
                    readErr.set(t);
                }
                woke.countDown();
            });
            assertTrue(accepted.await(10, TimeUnit.SECONDS));
            rt.go(() -> {
                try {
                    blocked.countDown();
                    l.accept(); // nobody else connects
                } catch (Throwable t) {
                    acceptErr.set(t);
                }
                woke.countDown();
            });
            assertTrue(blocked.await(10, TimeUnit.SECONDS));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (p.waiters() < 2 && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            assertEquals(2, p.waiters(), "both goroutines parked in the poller");

            p.close();
            assertTrue(woke.await(10, TimeUnit.SECONDS), "the blocked goroutines woke");
            for (Throwable t : new Throwable[] {acceptErr.get(), readErr.get()}) {
                assertTrue(t instanceof SocketException, String.valueOf(t));
                assertTrue(String.valueOf(t.getMessage()).contains("jgo-netpoll bundle stopped"), () -> trace(t));
            }
            assertEquals(0, p.waiters());
            assertEquals(threadsBefore, pollerThreads(), "the poller thread ended");
            String write = rt.run(() -> {
                try {
                    conn.get().write(ByteBuffer.allocate(1));
                    return "written";
                } catch (SocketException e) {
                    return e.getMessage();
                }
            });
            assertTrue(write.contains("jgo-netpoll bundle stopped"), write);
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> p.listen("127.0.0.1", 0));
            assertTrue(refused.getMessage().contains("jgo-netpoll bundle stopped"), refused.getMessage());
            assertThrows(IllegalStateException.class, p::init);
            p.close(); // idempotent
            assertEquals(5, rt.run(() -> 2 + 3), "the runtime still runs goroutines");
            peer.close();
        }
    }
}
