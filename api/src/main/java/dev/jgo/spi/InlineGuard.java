package dev.jgo.spi;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import javax.management.ObjectName;

/**
 * Keeps the JIT from inlining JDK code that reads {@link Thread#currentThread()} for lock
 * ownership into goroutine code, through a compiler directive added with the DiagnosticCommand
 * MBean (the in-process form of {@code jcmd Compiler.directives_add}). Installed once per JVM, on
 * a thread of its own that {@link Carrier}'s class initializer starts (see "off the critical
 * path").
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
 *
 * <h2>Design note: off the critical path</h2>
 *
 * The only public way to the DiagnosticCommand MBean is {@code
 * ManagementFactory.getPlatformMBeanServer()}, which builds and registers every platform MXBean
 * (the flight recorder's among them): about 380 ms in an empty JVM, where the rest of a runtime's
 * start takes tens of milliseconds. Rejected: waiting for it before the first goroutine runs (the
 * first runtime of a JVM took 450-680 ms to run one goroutine); reaching {@code
 * DiagnosticCommandImpl} or {@code ManagementFactoryHelper} directly (not exported: another JVM
 * flag for every user). Chosen:
 *
 * <ol>
 *   <li>{@link #start()} (from {@link Carrier}'s class initializer, so before any carrier exists)
 *       starts a daemon thread that adds the directive; goroutines run meanwhile;
 *   <li>what needs the directive for its correctness switches on only once it is in: {@link
 *       #added()} turns true after the directive is added, and {@link Carrier}'s direct carrier
 *       lookup is taken only then (until then the lookup goes through the method handle, right
 *       with or without the directive). Code the JIT compiled before the switch never took the
 *       direct branch, so C2 left it as an uncommon trap, which deoptimizes when first taken and
 *       is compiled again under the directive;
 *   <li>the network poller, whose socket channels' JDK locks are what wedged without the
 *       directive, waits for it ({@link #status()}) before it opens its selector, once per JVM;
 *   <li>what remains open is JDK lock code that C2 inlines into a goroutine's method in the
 *       fraction of a second before the directive is in: C2 compiles a method after thousands of
 *       calls in tiered code, so a program that starts that fast can add the directive itself
 *       ({@code -XX:CompileCommand=dontinline,java.util.concurrent.locks.*::*}), as the warning
 *       below says for JVMs without the management module.
 * </ol>
 */
final class InlineGuard {
    static final String DIRECTIVE = "[{match: \"*.*\", inline: [\"-java/util/concurrent/locks/*.*\","
            + " \"-sun/nio/ch/*.*\", \"-java/lang/ThreadLocal.*\","
            + " \"-dev/jgo/spi/Carrier.currentThreadOutOfLine\", \"-dev/jgo/core/internal/Emit.*\"]}]";

    /** What {@link #apply()} did, for diagnostics; completed once by the installing thread. */
    private static final CompletableFuture<String> STATUS = new CompletableFuture<>();

    /**
     * Whether the directive is in place (else callers keep their slower fallbacks). Written once,
     * false to true, by the installing thread after the directive is added (volatile write);
     * partner: the volatile read in {@link #added()}.
     */
    private static volatile boolean added;

    static {
        Thread t = new Thread(InlineGuard::install, "jgo-inline-guard");
        t.setDaemon(true);
        t.start();
    }

    private InlineGuard() {}

    /** Starts adding the directive (the class initializer does), if not started yet. Concurrency: any thread. */
    static void start() {}

    /** Whether the directive is in place; does not wait. Concurrency: any thread. */
    static boolean added() {
        return added; // volatile read, pairs with the write in install()
    }

    /** What adding the directive did, waiting until it is done. Concurrency: any thread. */
    static String status() {
        return STATUS.join();
    }

    private static void install() {
        String s;
        try {
            s = apply();
        } catch (RuntimeException | Error e) {
            s = "compiler directive NOT added (" + e + ")";
        }
        // Invariant: added is true only once the directive is in place.
        added = s.startsWith("compiler directive added"); // volatile write, read by added()
        STATUS.complete(s);
    }

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
