package dev.jgo.spi;

import java.util.List;
import java.util.Map;

/**
 * One M (carrier thread) in a {@link RuntimeView#machines(boolean)} snapshot.
 *
 * @param id the M id
 * @param thread its carrier thread
 * @param state what it was doing when read
 * @param pid the P it holds, -1 when none
 * @param goid the goroutine it runs (RUNNING, SYSCALL), else -1
 * @param labels that goroutine's profiler labels, empty for none
 * @param stack with stacks requested, innermost first: for RUNNING and SYSCALL the goroutine's
 *     frames on the carrier (frames below the goroutine's entry trimmed), for SCHEDULER the
 *     carrier's own scheduler frames; otherwise empty
 */
public record MachineInfo(
        int id,
        Thread thread,
        State state,
        int pid,
        long goid,
        Map<String, String> labels,
        List<StackTraceElement> stack) {

    /** What an M is doing. */
    public enum State {
        /** Running goroutine code while holding a P. */
        RUNNING,
        /** Running goroutine code without a P: a blocking call ({@code Go.blocking}) or a pinned park. */
        SYSCALL,
        /** Holding a P or spinning, with no goroutine on it: scheduler code (Go's g0). */
        SCHEDULER,
        /** Parked on the idle M list. */
        IDLE,
        /**
         * Blocked in the network poller until I/O, the next timer or a kick, holding no P (the
         * runtime's poll, see {@code Sched} "network poller"). Not on a CPU, though its thread
         * reads {@link Thread.State#RUNNABLE} while the JDK waits in native code.
         */
        NETPOLL
    }

    public MachineInfo {
        labels = labels == null ? Map.of() : labels;
        stack = List.copyOf(stack);
    }
}
