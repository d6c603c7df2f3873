package dev.jgo.profiler.testapp;

import dev.jgo.sync.Chan;

/**
 * Goroutine code outside jgo's implementation packages: goroutine dumps leave out the frames of
 * {@code dev.jgo.**.internal}, where the profiler's tests live.
 */
public final class UserCode {
    private UserCode() {}

    /** A frame name that can only come from the tests. */
    public static void parkedInDistinctiveReceive(Chan<Integer> c) {
        c.recv();
    }
}
