package dev.jgo.spi;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * Keeps the JIT from inlining JDK code that reads {@link Thread#currentThread()} for lock
 * ownership into goroutine code, through a compiler directive added with the DiagnosticCommand
 * MBean (the in-process form of {@code jcmd Compiler.directives_add}). Installed once per JVM by
 * {@link Carrier}'s class initializer, before any carrier runs a goroutine.
 *
 * <h2>Design note: thread identity across a yield</h2>
 *
 * A goroutine may resume on another carrier thread after any park or yield. C2 derives {@code
 * Thread.currentThread()} from the thread register through a load it treats as fixed for the
 * whole compiled method, so a method that reads the current thread both before and after a yield
 * can get the carrier it left. JDK code that records an owner thread then breaks when it is
 * inlined into such a method: a {@code ReentrantLock} (the stateLock of a socket channel, say)
 * is acquired for one thread and released as another, throws IllegalMonitorStateException and
 * stays locked; the netpoll HTTP example wedged under 64 keep-alive connections this way. With
 * the directive those JDK methods run in their own frames, which read the thread register
 * afresh. jgo's own locks record no owner ({@link SpinLock}) and its carrier lookup is out of
 * line ({@link Carrier}'s {@code carrierThread}).
 *
 * <p>Not inlined: {@code java.util.concurrent.locks.*} (ReentrantLock, AQS), {@code
 * sun.nio.ch.*} (socket channels and selectors), {@code java.lang.ThreadLocal}, jgo's own
 * {@code Carrier.currentThreadOutOfLine}, and the core's scheduler event calls ({@code
 * dev.jgo.core.internal.Emit}: not for thread identity but to keep a tracer's code out of the
 * scheduler's hot methods; see the design note there). Rejected: a
 * {@code -XX:CompileCommand} flag (every embedding application would have to pass it). If the
 * directive cannot be added (no {@code jdk.management} module) a warning is logged once through
 * {@code System.Logger} "dev.jgo".
 */
final class InlineGuard {
    static final String DIRECTIVE = "[{match: \"*.*\", inline: [\"-java/util/concurrent/locks/*.*\","
            + " \"-sun/nio/ch/*.*\", \"-java/lang/ThreadLocal.*\","
            + " \"-dev/jgo/spi/Carrier.currentThreadOutOfLine\", \"-dev/jgo/core/internal/Emit.*\"]}]";

    /** What {@link #apply()} did, for diagnostics. */
    static final String STATUS = apply();

    /** Whether the directive is in place (else callers keep their slower fallbacks). */
    static final boolean ADDED = STATUS.startsWith("compiler directive added");

    private InlineGuard() {}

    private static String apply() {
        try {
            Path f = Files.createTempFile("jgo-inline", ".json");
            try {
                Files.writeString(f, DIRECTIVE);
                Object r = ManagementFactory.getPlatformMBeanServer()
                        .invoke(
                                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                                "compilerDirectivesAdd",
                                new Object[] {new String[] {f.toString()}},
                                new String[] {String[].class.getName()});
                return "compiler directive added: " + String.valueOf(r).strip();
            } finally {
                Files.deleteIfExists(f);
            }
        } catch (Exception | LinkageError e) {
            String msg = "compiler directive NOT added (" + e + "; a jlinked runtime needs the jdk.management and"
                    + " jdk.jfr modules for it); JDK locks used by goroutines may see a"
                    + " stale current thread: run with -XX:CompileCommand=dontinline,java.util.concurrent.locks.*::*"
                    + " -XX:CompileCommand=dontinline,sun.nio.ch.*::*";
            System.getLogger("dev.jgo").log(System.Logger.Level.WARNING, msg);
            return msg;
        }
    }
}
