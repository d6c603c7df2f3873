package dev.jgo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many producers and consumers on channels of random capacity, through plain operations and
 * selects, with and without the randomized scheduler: the sum and xor-hash of every value received
 * must equal those of every value sent (each value received exactly once). Scaled by {@code
 * -Djgo.stress=N}.
 */
@Timeout(60)
class ChanStressTest {

    private static final int STRESS = Integer.getInteger("jgo.stress", 1);

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @Timeout(60)
    void everyValueReceivedExactlyOnce(boolean randomize) {
        try (GoRuntime rt =
                GoRuntime.builder().procs(2).randomizeScheduler(randomize).build()) {
            for (int round = 0; round < 20 * STRESS; round++) {
                long seed = 0x9E3779B97F4A7C15L * (round + 1) + (randomize ? 1 : 0);
                runRound(rt, new SplittableRandom(seed));
            }
        }
    }

    private static long mix(long v) {
        v ^= v >>> 33;
        v *= 0xff51afd7ed558ccdL;
        v ^= v >>> 33;
        return v;
    }

    private static void runRound(GoRuntime rt, SplittableRandom rnd) {
        int nchans = 1 + rnd.nextInt(4);
        int producers = 2 + rnd.nextInt(8);
        int consumers = 2 + rnd.nextInt(8);
        int perProducer = 500 + rnd.nextInt(1500);
        int[] caps = new int[nchans];
        for (int i = 0; i < nchans; i++) {
            caps[i] = rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(16);
        }
        AtomicLong sentSum = new AtomicLong();
        AtomicLong sentHash = new AtomicLong();
        AtomicLong recvSum = new AtomicLong();
        AtomicLong recvHash = new AtomicLong();
        AtomicLong recvCount = new AtomicLong();
        rt.run(() -> {
            @SuppressWarnings("unchecked")
            Chan<Long>[] cs = new Chan[nchans];
            for (int i = 0; i < nchans; i++) {
                cs[i] = Chan.make(caps[i]);
            }
            WaitGroup prod = new WaitGroup();
            WaitGroup cons = new WaitGroup();
            Chan<Boolean> quit = Chan.make(0);
            for (int p = 0; p < producers; p++) {
                int pid = p;
                long pseed = rnd.nextLong();
                prod.add(1);
                Go.go(() -> {
                    SplittableRandom r = new SplittableRandom(pseed);
                    long s = 0;
                    long h = 0;
                    for (int i = 0; i < perProducer; i++) {
                        long v = ((long) pid << 32) | i;
                        Chan<Long> c = cs[r.nextInt(nchans)];
                        switch (r.nextInt(3)) {
                            case 0 -> c.send(v);
                            case 1 -> {
                                if (!c.trySend(v)) {
                                    c.send(v);
                                }
                            }
                            default -> {
                                Chan<Long> c2 = cs[r.nextInt(nchans)];
                                Select.create()
                                        .send(c, v, () -> {})
                                        .send(c2, v, () -> {})
                                        .select();
                            }
                        }
                        s += v;
                        h ^= mix(v);
                    }
                    sentSum.addAndGet(s);
                    sentHash.getAndAccumulate(h, (a, b) -> a ^ b);
                    prod.done();
                });
            }
            for (int k = 0; k < consumers; k++) {
                long cseed = rnd.nextLong();
                cons.add(1);
                Go.go(() -> {
                    SplittableRandom r = new SplittableRandom(cseed);
                    long[] acc = new long[3];
                    boolean[] stop = new boolean[1];
                    // Every channel in one reusable select, in a per-consumer random order.
                    Select s = Select.create().recvOk(quit, q -> stop[0] = true);
                    int off = r.nextInt(nchans);
                    for (int i = 0; i < nchans; i++) {
                        s.recv(cs[(off + i) % nchans], v -> {
                            acc[0] += v;
                            acc[1] ^= mix(v);
                            acc[2]++;
                        });
                    }
                    while (!stop[0]) {
                        if (r.nextInt(4) == 0) {
                            Received<Long> got = cs[r.nextInt(nchans)].tryRecv();
                            if (got != null && got.ok()) {
                                long v = got.value();
                                acc[0] += v;
                                acc[1] ^= mix(v);
                                acc[2]++;
                            }
                            continue;
                        }
                        s.select();
                    }
                    recvSum.addAndGet(acc[0]);
                    recvHash.getAndAccumulate(acc[1], (a, b) -> a ^ b);
                    recvCount.addAndGet(acc[2]);
                    cons.done();
                });
            }
            prod.await();
            // Every value is sent; drain what is still buffered through the consumers, then stop
            // them: closing quit makes its case ready, but consumers only see it once the
            // buffers are empty, since we wait for that first.
            for (Chan<Long> c : cs) {
                while (c.len() > 0) {
                    Go.yield();
                }
            }
            quit.close();
            cons.await();
        });
        assertEquals((long) producers * perProducer, recvCount.get(), "values received");
        assertEquals(sentSum.get(), recvSum.get(), "sum");
        assertEquals(sentHash.get(), recvHash.get(), "hash");
    }
}
