package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A bounded buffer built on two Conds, with producers and consumers racing through signal and
 * broadcast: every item is consumed exactly once and nobody stays asleep (a lost wake-up would
 * hang, which the timeout turns into a failure). Scaled by {@code -Djgo.stress=N}.
 */
@Timeout(120)
class CondStressTest {

    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void boundedBufferOnConds(boolean randomize) {
        try (GoRuntime rt =
                GoRuntime.builder().procs(2).randomizeScheduler(randomize).build()) {
            for (int round = 0; round < 10 * STRESS; round++) {
                int r = round;
                int producers = 2 + round % 5;
                int consumers = 1 + round % 7;
                int perProducer = 2000;
                boolean broadcast = round % 2 == 0;
                long[] sums = rt.run(() -> {
                    Mutex m = new Mutex();
                    Cond notEmpty = new Cond(m);
                    Cond notFull = new Cond(m);
                    long[] buf = new long[1 + r % 3];
                    int[] count = {0, 0, 0}; // items, head, tail
                    long[] consumed = {0, 0}; // sum, number
                    int total = producers * perProducer;
                    WaitGroup wg = new WaitGroup();
                    wg.add(producers + consumers);
                    for (int p = 0; p < producers; p++) {
                        int base = p * perProducer;
                        Go.go(() -> {
                            for (int i = 0; i < perProducer; i++) {
                                m.lock();
                                while (count[0] == buf.length) {
                                    notFull.await();
                                }
                                buf[count[2]] = base + i + 1;
                                count[2] = (count[2] + 1) % buf.length;
                                count[0]++;
                                m.unlock();
                                if (broadcast) {
                                    notEmpty.broadcast();
                                } else {
                                    notEmpty.signal();
                                }
                            }
                            wg.done();
                        });
                    }
                    for (int q = 0; q < consumers; q++) {
                        Go.go(() -> {
                            m.lock();
                            for (; ; ) {
                                while (count[0] == 0 && consumed[1] < total) {
                                    notEmpty.await();
                                }
                                if (consumed[1] == total) {
                                    break;
                                }
                                consumed[0] += buf[count[1]];
                                consumed[1]++;
                                count[1] = (count[1] + 1) % buf.length;
                                count[0]--;
                                notFull.signal();
                                if (consumed[1] == total) {
                                    notEmpty.broadcast(); // release the other consumers
                                }
                            }
                            m.unlock();
                            wg.done();
                        });
                    }
                    wg.await();
                    return consumed;
                });
                long n = (long) producers * perProducer;
                assertEquals(n, sums[1]);
                assertEquals(n * (n + 1) / 2, sums[0]);
            }
        }
    }
}
