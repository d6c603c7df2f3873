package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One owner putting and getting, two thieves stealing into their own queues: every goroutine is
 * taken exactly once (none lost, none duplicated), overflow included.
 */
@Timeout(60)
class RunQueueStressTest {
    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    @Test
    void everyGoroutineTakenExactlyOnce() throws Exception {
        for (int iter = 0; iter < 20 * STRESS; iter++) {
            run(iter % 2 == 0 ? 8 : 256, 200_000);
        }
    }

    private void run(int capacity, int total) throws Exception {
        GlobalRunQueue global = new GlobalRunQueue();
        RunQueue owner = new RunQueue(capacity, global);
        AtomicIntegerArray seen = new AtomicIntegerArray(total);
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> thieves = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread th = new Thread(() -> {
                RunQueue mine = new RunQueue(capacity, global);
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (!done.get() || !owner.runqempty()) {
                    G gp = mine.runqsteal(owner, r.nextBoolean(), true, 0, 0);
                    if (gp != null) {
                        seen.incrementAndGet((int) gp.goid);
                        G x;
                        while ((x = mine.runqget()) != null) {
                            seen.incrementAndGet((int) x.goid);
                        }
                    }
                }
            });
            th.start();
            thieves.add(th);
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < total; i++) {
            G gp = new G();
            gp.goid = i;
            owner.runqput(gp, r.nextInt(4) == 0, 0, null);
            if (r.nextInt(3) == 0) {
                G x = owner.runqget();
                if (x != null) {
                    seen.incrementAndGet((int) x.goid);
                }
            }
        }
        done.set(true);
        for (Thread th : thieves) {
            th.join();
        }
        G x;
        while ((x = owner.runqget()) != null) {
            seen.incrementAndGet((int) x.goid);
        }
        while ((x = global.poll()) != null) {
            seen.incrementAndGet((int) x.goid);
        }
        for (int i = 0; i < total; i++) {
            assertEquals(1, seen.get(i), "goroutine " + i + " taken " + seen.get(i) + " times");
        }
        assertTrue(owner.runqempty());
    }
}
