package dev.jgo.assembly.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.net.Conn;
import dev.jgo.net.Listener;
import dev.jgo.net.Net;
import dev.jgo.prof.Pprof;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.NetPoller;
import dev.jgo.spi.TimerQueue;
import dev.jgo.time.Time;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Plain Java with every optional module on the class path (jgo.jar's set): {@code
 * GoRuntime.builder().build()} finds them with {@link java.util.ServiceLoader}. The tests of
 * jgo-core ({@code NoTimerModuleTest}, {@code NoNetpollModuleTest}, {@code
 * NoProfilerModuleTest}) run the same features without them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServiceLoaderWiringTest {

    @Test
    void timersFromJgoTimer() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            assertEquals(
                    "heap", rt.run(() -> TimerQueue.current(Carrier.current()).name()), "the highest priority");
            long slept = rt.run(() -> {
                long t0 = System.nanoTime();
                Go.sleep(Duration.ofMillis(20));
                return System.nanoTime() - t0;
            });
            assertTrue(slept >= TimeUnit.MILLISECONDS.toNanos(20), slept + " ns");
            assertTrue(rt.run(() -> Time.after(Duration.ofMillis(5)).recv() != null));
        }
    }

    @Test
    void theNetworkPollerFromJgoNetpoll() {
        assertEquals("SelectorNetPoller", NetPoller.get().getClass().getSimpleName());
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            String got = rt.run(() -> {
                Listener l = Net.listen("127.0.0.1", 0);
                Go.go(() -> {
                    try (Conn c = l.accept()) {
                        ByteBuffer b = ByteBuffer.allocate(8);
                        c.read(b);
                        c.write(b.flip());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                try (Conn c = Net.dial("127.0.0.1", l.port())) {
                    c.write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
                    ByteBuffer b = ByteBuffer.allocate(8);
                    while (b.position() < 2 && c.read(b) >= 0) {}
                    return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
                } finally {
                    l.close();
                }
            });
            assertEquals("hi", got);
        }
    }

    @Test
    void profilesFromJgoProfiler() {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            rt.run(() -> Pprof.doWithLabels(Map.of("test", "wiring"), () -> Pprof.writeGoroutineProfile(out, 2)));
            String text = out.toString(StandardCharsets.UTF_8);
            assertTrue(text.startsWith("goroutine "), text);
        }
    }
}
