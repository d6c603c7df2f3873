package dev.jgo.spi;

import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Go's goroutine traceback text ({@code runtime.Stack(buf, true)}, a goroutine dump with debug=2),
 * shared by the runtime (the dump in a {@code DeadlockException}'s message, long-run warnings) and
 * the profiler (goroutine profiles, the debug server).
 *
 * <p>Each goroutine is a header {@code goroutine N [reason, M minutes]:} (the minutes only once it
 * has waited at least one), two lines per frame ({@code function(...)}, then a tab and {@code
 * file:line}), Go's {@code created by} line when the creator is known, and an empty line.
 *
 * <p>Frames of jgo's implementation ({@code dev.jgo.**.internal}, {@code dev.jgo.spi}) and of the
 * JDK's continuations ({@code jdk.internal.vm}) are left out wherever they are, above, between
 * and below the user's frames, as Go leaves out its runtime's frames. The system property {@code
 * jgo.traceback=system} (Go's {@code GOTRACEBACK=system}) keeps them.
 *
 * <p>Concurrency: any thread; stateless.
 */
public final class Traceback {
    private Traceback() {}

    /** The system property that, set to {@code system}, keeps jgo's own frames in tracebacks. */
    public static final String PROPERTY = "jgo.traceback";

    /** Whether frames of class {@code className} are jgo's or the JDK continuation's own. */
    public static boolean hidden(String className) {
        return className.startsWith("jdk.internal.vm.")
                || className.startsWith("dev.jgo.spi.")
                || (className.startsWith("dev.jgo.") && className.contains(".internal."));
    }

    /** The user's frames of {@code stack}, or all of them with {@code -Djgo.traceback=system}. */
    public static List<StackTraceElement> userFrames(List<StackTraceElement> stack) {
        if ("system".equals(System.getProperty(PROPERTY))) {
            return stack;
        }
        List<StackTraceElement> out = new ArrayList<>(stack.size());
        for (StackTraceElement e : stack) {
            if (!hidden(e.getClassName())) {
                out.add(e);
            }
        }
        return out;
    }

    /** Every goroutine of {@code gs} as {@link #goroutine} writes it, {@code nowNanos} as in it. */
    public static String dump(List<GoroutineInfo> gs, long nowNanos) {
        StringBuilder sb = new StringBuilder();
        for (GoroutineInfo g : gs) {
            goroutine(sb, g, nowNanos);
        }
        return sb.toString();
    }

    /**
     * Appends {@code g}'s traceback; {@code nowNanos} is the {@link System#nanoTime()} its wait
     * time is measured to.
     */
    public static void goroutine(StringBuilder sb, GoroutineInfo g, long nowNanos) {
        sb.append("goroutine ").append(g.id()).append(" [").append(status(g));
        if (g.state() == Goroutine.State.WAITING && g.waitSinceNanos() != 0) {
            long min = TimeUnit.NANOSECONDS.toMinutes(nowNanos - g.waitSinceNanos());
            if (min >= 1) {
                sb.append(", ").append(min).append(" minutes"); // Go prints "1 minutes" too
            }
        }
        sb.append("]:\n");
        frames(sb, userFrames(g.stack()));
        createdBy(sb, g);
        sb.append('\n');
    }

    /** Appends two lines per frame: {@code pkg.Class.method(...)}, then a tab and {@code file:line}. */
    public static void frames(StringBuilder sb, List<StackTraceElement> frames) {
        for (StackTraceElement e : frames) {
            sb.append(e.getClassName()).append('.').append(e.getMethodName()).append("(...)\n");
            sb.append('\t')
                    .append(file(e))
                    .append(':')
                    .append(Math.max(0, e.getLineNumber()))
                    .append('\n');
        }
    }

    /** The frame's source file with its package's path, as Go prints a file. */
    public static String file(StackTraceElement e) {
        String cls = e.getClassName();
        String file = e.getFileName();
        int dot = cls.lastIndexOf('.');
        if (file != null && dot > 0) {
            file = cls.substring(0, dot).replace('.', '/') + "/" + file;
        }
        return file != null ? file : "";
    }

    /**
     * Go's {@code created by main.f in goroutine 1} line, then the {@code go} call site's
     * file:line when it was recorded ({@code -Djgo.gocallsite=true}); nothing when unknown.
     */
    public static void createdBy(StringBuilder sb, GoroutineInfo g) {
        if (g.createdBy() == null) {
            return;
        }
        sb.append("created by ").append(g.createdBy());
        if (g.creatorGoid() != 0) {
            sb.append(" in goroutine ").append(g.creatorGoid());
        }
        sb.append('\n');
        StackTraceElement at = g.createdAt();
        if (at != null) {
            sb.append('\t')
                    .append(file(at))
                    .append(':')
                    .append(Math.max(0, at.getLineNumber()))
                    .append('\n');
        }
    }

    /** Go's status text: the wait reason for a waiting goroutine, else the state's name. */
    public static String status(GoroutineInfo g) {
        if (g.state() == Goroutine.State.WAITING && g.waitReason() != WaitReason.ZERO) {
            return g.waitReason().text();
        }
        return switch (g.state()) {
            case IDLE -> "idle";
            case RUNNABLE -> "runnable";
            case RUNNING -> "running";
            case SYSCALL -> "syscall";
            case WAITING -> "waiting";
            case DEAD -> "dead";
            case PREEMPTED -> "preempted";
        };
    }
}
