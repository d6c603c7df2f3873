package dev.jgo.core.internal;

import dev.jgo.WaitReason;
import dev.jgo.spi.SchedEvents;

/**
 * The scheduler's calls into its {@link SchedEvents} listener, kept out of line.
 *
 * <h2>Design note: event calls out of line</h2>
 *
 * Event sites sit in the hottest code there is: {@code go}, {@code ready}, and the loop that
 * runs goroutines. With a listener attached the JIT inlines it there, and a tracer's recording
 * code (a clock read, a buffer append) then makes those methods, and the goroutine bodies that
 * inline {@code go} and {@code ready}, big enough that other inlining is dropped: profiled on
 * skynet with the tracer on, {@code Continuation.enter} became a separate compiled frame
 * (6% of the samples, under 1% untraced) and {@code go} grew twice as hot. The sites therefore
 * call these static methods, which the compiler directive of {@code InlineGuard} keeps out of
 * line: the listener is inlined into them instead, and each event costs one static call more.
 * With no listener attached nothing changes: the site's test of {@link Sched#events} stays one
 * load and one predictable branch, and these methods are not called.
 */
final class Emit {
    private Emit() {}

    static void goCreate(SchedEvents ev, long goid, long parentGoid, int pid) {
        ev.goCreate(goid, parentGoid, pid);
    }

    static void goStart(SchedEvents ev, long goid, int pid, int mid) {
        ev.goStart(goid, pid, mid);
    }

    static void goPark(SchedEvents ev, long goid, WaitReason reason, int pid) {
        ev.goPark(goid, reason, pid);
    }

    static void goUnpark(SchedEvents ev, long goid, int pid) {
        ev.goUnpark(goid, pid);
    }

    static void goYield(SchedEvents ev, long goid, int pid) {
        ev.goYield(goid, pid);
    }

    static void goSyscall(SchedEvents ev, long goid, boolean enter, int pid) {
        ev.goSyscall(goid, enter, pid);
    }

    static void goExit(SchedEvents ev, long goid, int pid) {
        ev.goExit(goid, pid);
    }

    static void procStart(SchedEvents ev, int pid, int mid) {
        ev.procStart(pid, mid);
    }

    static void procStop(SchedEvents ev, int pid, int mid) {
        ev.procStop(pid, mid);
    }

    static void steal(SchedEvents ev, int thiefPid, int victimPid, int count) {
        ev.steal(thiefPid, victimPid, count);
    }

    static void spin(SchedEvents ev, int mid, int pid, boolean start) {
        ev.spin(mid, pid, start);
    }
}
