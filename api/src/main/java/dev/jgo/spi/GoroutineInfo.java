package dev.jgo.spi;

import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import java.util.List;
import java.util.Map;

/**
 * One goroutine in a {@link RuntimeView#goroutines()} snapshot, as a goroutine dump prints it.
 *
 * @param id the goroutine id
 * @param state its status when read
 * @param waitReason why it waits ({@link WaitReason#ZERO} unless {@code state} is WAITING)
 * @param waitSinceNanos {@link System#nanoTime()} when this wait was first observed by a snapshot
 *     (Go's {@code waitsince}), 0 when not waiting
 * @param labels profiler labels ({@code dev.jgo.prof.Pprof.doWithLabels}), empty for none
 * @param stack the goroutine's frames, innermost first: read from the continuation of a goroutine
 *     that is not running, from its carrier thread (frames below the goroutine's entry trimmed)
 *     when it runs; empty when it could not be read consistently
 * @param mid the M running it, -1 when none
 * @param creatorGoid the goroutine whose {@code go} started it when creators are recorded (see
 *     {@code jgo.gocallsite}), else 0; also 0 when started from outside the runtime (a main
 *     goroutine, {@code GoRuntime.go} from a platform thread)
 * @param createdBy the function that started it, as Go's {@code created by} line names it: the
 *     {@code go} call site's class and method when call sites are recorded (see {@code
 *     jgo.gocallsite}), otherwise the class that defines the goroutine's function (the class in
 *     which its lambda was written), followed by the method that wrote the lambda when the
 *     goroutine's frames show it ({@code lambda$<method>$N}); null when unknown
 * @param createdAt the frame of the {@code go} call, when call sites are recorded; else null
 */
public record GoroutineInfo(
        long id,
        Goroutine.State state,
        WaitReason waitReason,
        long waitSinceNanos,
        Map<String, String> labels,
        List<StackTraceElement> stack,
        int mid,
        long creatorGoid,
        String createdBy,
        StackTraceElement createdAt) {

    public GoroutineInfo {
        labels = labels == null ? Map.of() : labels;
        stack = List.copyOf(stack);
    }

    /** Without creator information. */
    public GoroutineInfo(
            long id,
            Goroutine.State state,
            WaitReason waitReason,
            long waitSinceNanos,
            Map<String, String> labels,
            List<StackTraceElement> stack,
            int mid) {
        this(id, state, waitReason, waitSinceNanos, labels, stack, mid, 0, null, null);
    }
}
