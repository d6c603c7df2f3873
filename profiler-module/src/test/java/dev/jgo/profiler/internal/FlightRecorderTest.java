package dev.jgo.profiler.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.prof.FlightRecorder;
import dev.jgo.prof.Trace;
import dev.jgo.sync.Chan;
import dev.jgo.sync.WaitGroup;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code dev.jgo.prof.FlightRecorder}: the window it keeps, its size bound, the dump on a deadlock. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FlightRecorderTest {

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> events(byte[] json) {
        Map<String, Object> root = (Map<String, Object>) MiniJson.parse(new String(json, StandardCharsets.UTF_8));
        return (List<Map<String, Object>>) (List<?>) root.get("traceEvents");
    }

    /** Goroutine ids of the GoCreate instants. */
    private static List<Long> created(List<Map<String, Object>> evs) {
        return evs.stream()
                .filter(e -> "GoCreate".equals(e.get("name")))
                .map(e -> ((Number) ((Map<?, ?>) e.get("args")).get("goid")).longValue())
                .toList();
    }

    /**
     * Spawns and joins 50 goroutines a round, a round about every millisecond (a sleep in {@code
     * Go.blocking} between them keeps the trace small enough to parse), until {@code nanos} have
     * passed; returns the last goroutine id and adds every id to {@code ids}. Ids are unique but
     * not ordered in time: each P hands them out from its own batch, and the spawning goroutine
     * moves between Ps, so a later phase may create smaller ids than an earlier one.
     */
    private static long churn(GoRuntime rt, long nanos, Set<Long> ids) {
        AtomicLong last = new AtomicLong();
        rt.run(() -> {
            long end = System.nanoTime() + nanos;
            while (System.nanoTime() < end) {
                WaitGroup wg = new WaitGroup();
                for (int i = 0; i < 50; i++) {
                    wg.add(1);
                    long id = Go.go(wg::done).id();
                    ids.add(id);
                    last.set(id);
                }
                wg.await();
                Go.blocking(() -> {
                    Thread.sleep(1);
                    return null;
                });
            }
            return null;
        });
        return last.get();
    }

    @Test
    void writeToKeepsTheRecentWindowWithinMaxBytesAndDropsTheOldest() {
        long maxBytes = 256 << 10;
        FlightRecorder fr = Trace.newFlightRecorder(Duration.ofMillis(100), maxBytes);
        assertFalse(fr.enabled());
        assertThrows(IllegalStateException.class, () -> fr.writeTo(new ByteArrayOutputStream()));
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            fr.start();
            assertTrue(fr.enabled());
            assertThrows(IllegalStateException.class, fr::start);
            Set<Long> firstPhase = ConcurrentHashMap.newKeySet();
            churn(rt, TimeUnit.MILLISECONDS.toNanos(300), firstPhase);
            long last = churn(
                    rt,
                    TimeUnit.MILLISECONDS.toNanos(600),
                    ConcurrentHashMap.newKeySet()); // far more than maxBytes of JSON
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            fr.writeTo(out);
            assertTrue(out.size() <= maxBytes, "written " + out.size() + " > maxBytes " + maxBytes);
            assertTrue(out.size() > maxBytes / 2, "about maxBytes written: " + out.size());
            List<Long> ids = created(events(out.toByteArray()));
            assertFalse(ids.isEmpty());
            assertTrue(ids.contains(last), "the newest goroutine's create is kept");
            assertTrue(ids.stream().noneMatch(firstPhase::contains), "the oldest events went first: " + ids.get(0));
            assertTrue(fr.enabled(), "writeTo leaves it recording");
        } finally {
            fr.stop();
        }
        assertFalse(fr.enabled());
        assertThrows(IllegalStateException.class, () -> fr.writeTo(new ByteArrayOutputStream()));
    }

    @Test
    void keepsAtLeastMinAgeWhenMaxBytesAllows() throws Exception {
        FlightRecorder fr = Trace.newFlightRecorder(Duration.ofMillis(200), 512L << 20);
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            fr.start();
            Set<Long> early = ConcurrentHashMap.newKeySet();
            churn(rt, TimeUnit.MILLISECONDS.toNanos(100), early);
            long last = churn(rt, TimeUnit.MILLISECONDS.toNanos(600), ConcurrentHashMap.newKeySet());
            Thread.sleep(300); // a quiet spell longer than minAge: the window ends at the newest event
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            fr.writeTo(out);
            List<Map<String, Object>> evs = events(out.toByteArray());
            List<Long> ids = created(evs);
            assertTrue(ids.contains(last), "the newest goroutine's create is kept");
            double lastTs = evs.stream()
                    .filter(e -> e.get("ts") instanceof Number)
                    .mapToDouble(e -> ((Number) e.get("ts")).doubleValue())
                    .max()
                    .orElseThrow();
            double firstTs = evs.stream()
                    .filter(e -> "GoCreate".equals(e.get("name")))
                    .mapToDouble(e -> ((Number) e.get("ts")).doubleValue())
                    .min()
                    .orElseThrow();
            assertTrue(lastTs - firstTs >= 100_000, "the window spans most of minAge: " + (lastTs - firstTs) + " us");
            assertTrue(lastTs - firstTs <= 200_000 + 1_000, "the window is the last minAge: " + (lastTs - firstTs));
            assertTrue(ids.stream().noneMatch(early::contains), "events older than minAge are left out");
        } finally {
            fr.stop();
        }
    }

    @Test
    void aDeadlockWritesTheWindowToTheDumpFile() throws Exception {
        Path file = Files.createTempFile("jgo-flight", ".json");
        Files.delete(file);
        String old = System.getProperty(JgoFlightRecorder.DUMP_PROPERTY);
        System.setProperty(JgoFlightRecorder.DUMP_PROPERTY, file.toString());
        FlightRecorder fr = Trace.newFlightRecorder(Duration.ofSeconds(10), 0);
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            fr.start();
            assertThrows(
                    DeadlockException.class,
                    () -> rt.run(() -> {
                        Chan<Integer> c = Chan.make(0);
                        for (int i = 0; i < 10; i++) {
                            Go.go(() -> {});
                        }
                        return c.recv(); // nobody sends
                    }));
            assertTrue(Files.exists(file), "the flight recording was written on the deadlock");
            List<Map<String, Object>> evs = events(Files.readAllBytes(file));
            assertTrue(created(evs).size() >= 10, "the goroutines created before the deadlock");
            assertTrue(
                    evs.stream()
                            .anyMatch(e -> "GoPark".equals(e.get("name"))
                                    && "chan receive".equals(((Map<?, ?>) e.get("args")).get("reason"))),
                    "the main goroutine's last park");
        } finally {
            fr.stop();
            if (old == null) {
                System.clearProperty(JgoFlightRecorder.DUMP_PROPERTY);
            } else {
                System.setProperty(JgoFlightRecorder.DUMP_PROPERTY, old);
            }
            Files.deleteIfExists(file);
        }
    }
}
