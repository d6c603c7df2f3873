package dev.jgo.osgi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.jgo.net.Listener;
import dev.jgo.spi.NetPoller;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NetPollBridgeTest {

    @Test
    void withoutAPollerNetworkCallsFailClearly() {
        NetPollBridge b = new NetPollBridge();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.listen("127.0.0.1", 0));
        assertTrue(e.getMessage().contains("jgo-netpoll bundle is stopped"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> b.dial("127.0.0.1", 1));
        assertTrue(e.getMessage().contains("jgo-netpoll bundle is stopped"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> b.poll(0));
        b.wakeup(); // nothing to wake
        assertEquals(0, b.waiters());
    }

    @Test
    void callsGoToThePollerInUseAndStopWhenItLeaves() throws Exception {
        NetPollBridge b = new NetPollBridge();
        NetPoller p = mock(NetPoller.class);
        Listener l = mock(Listener.class);
        when(p.listen("h", 1)).thenReturn(l);
        when(p.waiters()).thenReturn(3);
        b.use(p);
        assertSame(l, b.listen("h", 1));
        assertEquals(3, b.waiters());
        b.wakeup();
        verify(p).wakeup();
        b.use(null);
        assertThrows(IllegalStateException.class, () -> b.listen("h", 1));
    }

    @Test
    void installedItIsWhatNetUsesUntilUninstalled() {
        NetPollBridge b = new NetPollBridge();
        NetPoller.install(b);
        try {
            assertSame(b, NetPoller.get());
            NetPoller.uninstall(new NetPollBridge()); // not the installed one: no effect
            assertSame(b, NetPoller.get());
        } finally {
            NetPoller.uninstall(b);
        }
        // osgi-module's tests have no jgo-netpoll: the ServiceLoader lookup fails, naming it
        IllegalStateException e = assertThrows(IllegalStateException.class, NetPoller::get);
        assertTrue(e.getMessage().contains("jgo-netpoll"), e.getMessage());
    }

    /** A poller whose driver handles count how many runtimes drive it. */
    private static NetPoller countingPoller(java.util.concurrent.atomic.AtomicInteger driving) {
        NetPoller p = mock(NetPoller.class);
        when(p.attachDriver()).thenAnswer(inv -> {
            driving.incrementAndGet();
            java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
            return (AutoCloseable) () -> {
                if (closed.compareAndSet(false, true)) {
                    driving.decrementAndGet();
                }
            };
        });
        return p;
    }

    @Test
    void driversReachThePollerInUseAndMoveWithTheService() throws Exception {
        java.util.concurrent.atomic.AtomicInteger first = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger second = new java.util.concurrent.atomic.AtomicInteger();
        NetPoller a = countingPoller(first);
        NetPoller c = countingPoller(second);
        NetPollBridge b = new NetPollBridge();
        b.use(a);
        AutoCloseable h1 = b.attachDriver();
        assertEquals(1, first.get(), "a runtime driving the bridge drives the bound poller");
        b.use(c);
        assertEquals(0, first.get(), "the driver left the poller that was unbound");
        assertEquals(1, second.get(), "and drives the one bound now");
        AutoCloseable h2 = b.attachDriver();
        assertEquals(2, second.get());
        h1.close();
        h1.close(); // idempotent
        assertEquals(1, second.get());
        b.use(null);
        assertEquals(0, second.get());
        AutoCloseable h3 = b.attachDriver(); // while no poller is bound
        b.use(a);
        assertEquals(2, first.get(), "both drivers of the bridge drive the poller bound again");
        h2.close();
        h3.close();
        assertEquals(0, first.get());
        assertEquals(0, second.get());
    }
}
