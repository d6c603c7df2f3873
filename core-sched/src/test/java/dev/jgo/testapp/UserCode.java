package dev.jgo.testapp;

import dev.jgo.Go;
import dev.jgo.sync.Chan;

/**
 * Goroutine code outside jgo's implementation packages, for tests of goroutine dumps and
 * warnings, which leave out the frames of {@code dev.jgo.**.internal}.
 */
public final class UserCode {
    private UserCode() {}

    /** Spins for {@code nanos} without a single runtime call; the result keeps the loop. */
    public static long spinWithoutPreemptionPoints(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 0;
        while (System.nanoTime() < end) {
            x += x * 31 + 7;
        }
        return x;
    }

    /** Spins for {@code nanos}, calling {@code Go.checkpoint()} every 100 µs or so. */
    public static long spinWithCheckpoints(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 0;
        long next = 0;
        for (long now; (now = System.nanoTime()) < end; ) {
            x += x * 31 + 7;
            if (now >= next) {
                Go.checkpoint();
                next = now + 100_000;
            }
        }
        return x;
    }

    public static int receiveForever(Chan<Integer> c) {
        return c.recv();
    }

    /** Starts a goroutine parked in {@link #receiveForever}: its {@code created by} names this method. */
    public static dev.jgo.Goroutine startParked(Chan<Integer> c) {
        return Go.go(() -> receiveForever(c));
    }

    public static void sendForever(Chan<Integer> c) {
        c.send(1);
    }
}
