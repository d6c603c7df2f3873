package dev.jgo.netpoll.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import dev.jgo.spi.NetPoller;
import dev.jgo.spi.Scheduler;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * close() takes the runtime's network with it (issue 16, item 8): within 2 s its listeners refuse,
 * the peers of its connections see the end, and no thread started for it (the poller's own
 * thread included) is alive, compared by thread identity.
 */
@Timeout(60)
class RuntimeCloseNetTest {

    /** Live threads of the application's thread group and below, by identity. */
    private static Set<Thread> appThreads() {
        ThreadGroup app = Thread.currentThread().getThreadGroup();
        Set<Thread> s = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            ThreadGroup g = t.getThreadGroup();
            if (t.isAlive() && g != null && app.parentOf(g)) {
                s.add(t);
            }
        }
        return s;
    }

    private static Set<Thread> startedSince(Set<Thread> before) {
        Set<Thread> now = appThreads();
        now.removeAll(before);
        return now;
    }

    /** Reads from a plain socket on another thread: -1 at end of stream, -2 on a reset. */
    private static CompletableFuture<Integer> readAsync(Socket s) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                s.setSoTimeout(20_000);
                InputStream in = s.getInputStream();
                return in.read();
            } catch (SocketException e) {
                return -2; // reset
            } catch (IOException e) {
                return -3;
            }
        });
    }

    private static boolean refuses(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void closeClosesTheRuntimesListenersAndConnectionsAndEndsItsThreads() throws Exception {
        for (int round = 0; round < 3; round++) {
            SelectorNetPoller np = new SelectorNetPoller(); // fresh: its own thread starts only when needed
            np.init();
            NetPoller.install(np);
            Set<Thread> before = appThreads();
            GoRuntime rt = GoRuntime.builder().name("netclose").procs(2).build();
            try (ServerSocket outside = new ServerSocket(0)) {
                CountDownLatch blocked = new CountDownLatch(3);
                int port = rt.run(() -> {
                    Listener l = Net.listen("127.0.0.1", 0);
                    Go.go(
                            () -> { // accepts one connection, reads from it (nothing is sent), then accepts again
                                try {
                                    Conn c = l.accept();
                                    blocked.countDown();
                                    Go.go(() -> {
                                        try {
                                            l.accept();
                                        } catch (IOException e) {
                                            // the runtime closed
                                        }
                                    });
                                    c.read(ByteBuffer.allocate(8));
                                } catch (IOException e) {
                                    // the runtime closed
                                }
                            });
                    Go.go(
                            () -> { // dials out and reads (the plain peer never writes)
                                try {
                                    Conn c = Net.dial("127.0.0.1", outside.getLocalPort());
                                    blocked.countDown();
                                    c.read(ByteBuffer.allocate(8));
                                } catch (IOException e) {
                                    // the runtime closed
                                }
                            });
                    return l.port();
                });
                Socket in = new Socket("127.0.0.1", port); // accepted by the runtime
                Socket out = outside.accept(); // the runtime's dial
                blocked.countDown();
                assertTrue(blocked.await(10, TimeUnit.SECONDS));
                CompletableFuture<Integer> inRead = readAsync(in);
                CompletableFuture<Integer> outRead = readAsync(out);
                Thread.sleep(100); // the goroutines park on their reads and accept
                assertFalse(inRead.isDone() || outRead.isDone(), "the peers are blocked before close");

                rt.close();
                long closed = System.nanoTime();
                int a = inRead.get(2, TimeUnit.SECONDS);
                int b = outRead.get(2, TimeUnit.SECONDS);
                assertTrue(a == -1 || a == -2, "the accepted connection's peer saw the end: " + a);
                assertTrue(b == -1 || b == -2, "the dialled connection's peer saw the end: " + b);
                assertTrue(refuses(port), "the listening port refuses");
                assertFalse(np.owns((Scheduler) rt), "nothing of the closed runtime is tracked");
                Set<Thread> left = startedSince(before);
                while (!left.isEmpty() && System.nanoTime() - closed < TimeUnit.SECONDS.toNanos(2)) {
                    Thread.sleep(10);
                    left = startedSince(before);
                }
                assertEquals(Set.of(), left, "no thread started for the runtime is alive 2 s after close");
                assertFalse(np.ownThreadRunning());
                in.close();
                out.close();
            } finally {
                rt.close();
                NetPoller.uninstall(np);
                np.close();
            }
        }
    }

    /** The poller's own thread serves runtimes that do not drive it, and ends with their waits. */
    @Test
    void thePollersOwnThreadEndsWhenNoGoroutineWaits() throws Exception {
        SelectorNetPoller np = new SelectorNetPoller(); // not installed: no runtime drives it
        np.init();
        Set<Thread> before = appThreads();
        try (GoRuntime rt = GoRuntime.builder().procs(1).build()) {
            Listener l = rt.run(() -> np.listen("127.0.0.1", 0));
            assertFalse(np.ownThreadRunning(), "no poller thread before anyone waits");
            CountDownLatch accepted = new CountDownLatch(1);
            rt.go(() -> {
                try {
                    l.accept().close();
                    accepted.countDown();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!np.ownThreadRunning() && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            assertTrue(np.ownThreadRunning(), "a goroutine waits: the poller's thread serves it");
            new Socket("127.0.0.1", l.port()).close();
            assertTrue(accepted.await(10, TimeUnit.SECONDS), "the own thread readied the goroutine");
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (np.ownThreadRunning() && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            assertFalse(np.ownThreadRunning(), "nobody waits: the poller's thread ended");
            l.close();
        } finally {
            np.close();
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!startedSince(before).isEmpty() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(Set.of(), startedSince(before));
    }
}
