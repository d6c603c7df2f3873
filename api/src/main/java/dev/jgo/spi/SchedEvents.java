package dev.jgo.spi;

/**
 * Listener for scheduler events, for tracers and metrics. Called synchronously on the thread
 * where the event happens, often with scheduler state half-updated: implementations must be
 * fast, must not block, must not call back into the runtime, and must not throw. When no
 * listener is installed the scheduler pays one predictable branch per event site.
 *
 * <p>Ids: goroutine ids as {@link dev.jgo.Goroutine#id()}, P ids {@code 0..gomaxprocs-1}, M ids
 * from 0 in creation order.
 */
public interface SchedEvents {
    default void goCreate(long goid, long parentGoid, int pid) {}

    default void goStart(long goid, int pid, int mid) {}

    default void goPark(long goid, dev.jgo.WaitReason reason, int pid) {}

    default void goUnpark(long goid, int pid) {}

    default void goYield(long goid, int pid) {}

    default void goSyscall(long goid, boolean enter, int pid) {}

    default void goExit(long goid, int pid) {}

    default void procStart(int pid, int mid) {}

    default void procStop(int pid, int mid) {}

    default void steal(int thiefPid, int victimPid, int count) {}

    /**
     * M {@code mid} starts or stops spinning (looking for work). {@code pid} is the P it holds,
     * or -1: a spinning M drops its spinning state after releasing its P when it goes idle.
     */
    default void spin(int mid, int pid, boolean start) {}
}
