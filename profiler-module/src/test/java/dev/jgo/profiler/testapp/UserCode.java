package dev.jgo.profiler.testapp;

import dev.jgo.sync.Chan;

/**
 * Goroutine code outside jgo's implementation packages: goroutine dumps leave out the frames of
 * {@code dev.jgo.**.internal}, where the profiler's tests live.
 */
public final class UserCode {
    private UserCode() {}

    /** Reads one byte in {@code Go.blocking}: the carrier waits in a native read, RUNNABLE and off CPU. */
    public static int blockedInNativeRead(java.nio.channels.ReadableByteChannel ch) throws Exception {
        return dev.jgo.Go.blocking(() -> ch.read(java.nio.ByteBuffer.allocate(1)));
    }

    /** A frame name that can only come from the tests. */
    public static void parkedInDistinctiveReceive(Chan<Integer> c) {
        c.recv();
    }

    /** Sleeps a minute in a frame whose name only the tests use; an interrupt ends it early. */
    public static void sleepingInDistinctiveFrame() {
        try {
            Thread.sleep(60_000);
        } catch (InterruptedException e) {
            // released by the test
        }
    }
}
