package dev.jgo.osgi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The note "Greedy policy selection". */
@Timeout(30)
class PolicySlotTest {
    private final List<String> installs = new ArrayList<>();
    private final PolicySlot<String> slot = new PolicySlot<>("test");

    private static Map<String, Object> props(int ranking, long id) {
        return Map.of("service.ranking", ranking, "service.id", id);
    }

    @Test
    void highestRankingWinsThenLowestServiceId() {
        assertEquals("default", slot.activate("default", installs::add));
        slot.add("a", props(0, 10));
        slot.add("b", props(5, 11));
        slot.add("c", props(5, 9));
        slot.add("d", props(1, 8));
        assertEquals("c", slot.best());
        assertEquals(List.of("a", "b", "c", "c"), installs);
    }

    @Test
    void removalFallsBackToTheNextThenToTheDefault() {
        slot.activate("default", installs::add);
        slot.add("low", props(1, 1));
        slot.add("high", props(10, 2));
        slot.remove("high", props(10, 2));
        assertEquals("low", slot.best());
        slot.remove("low", props(1, 1));
        assertEquals("default", slot.best());
        assertEquals(List.of("low", "high", "low", "default"), installs);
    }

    @Test
    void aRankingChangeReorders() {
        slot.activate("default", installs::add);
        slot.add("x", props(1, 1));
        slot.add("y", props(2, 2));
        slot.update("x", props(3, 1));
        assertEquals("x", slot.best());
        slot.remove("x", props(1, 1)); // stale properties: still found by identity
        assertEquals("y", slot.best());
        assertEquals(1, slot.size());
    }

    @Test
    void eventsBeforeActivationOrAfterDeactivationInstallNothing() {
        slot.add("early", props(0, 1));
        assertEquals("early", slot.activate("default", installs::add));
        slot.deactivate();
        slot.add("late", props(9, 2));
        assertEquals(List.of(), installs);
    }

    @Test
    void racingEventsEndWithTheNewestChoice() throws Exception {
        for (int iter = 0; iter < 200; iter++) {
            PolicySlot<String> s = new PolicySlot<>("race");
            AtomicReference<String> installed = new AtomicReference<>();
            s.activate("default", p -> {
                Thread.onSpinWait();
                installed.set(p);
            });
            CountDownLatch go = new CountDownLatch(1);
            Thread[] ts = new Thread[4];
            for (int t = 0; t < ts.length; t++) {
                int r = t;
                ts[t] = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    s.add("p" + r, props(r, 100 + r));
                });
                ts[t].start();
            }
            go.countDown();
            for (Thread t : ts) {
                t.join();
            }
            assertEquals("p3", installed.get());
        }
    }
}
