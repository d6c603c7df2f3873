package dev.jgo.spi;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 *       Carrier}'s carrier lookup moves from the method handle (right with or without the
 *       directive) to the plain call the directive keeps out of line by changing the target of
 *       a {@code MutableCallSite}. The JIT compiles a call site's target in with a dependency on
 *       it, so the change discards every compiled method that inlined the handle lookup. A
 *       compile task takes the directives in force when it is created, so a task created before
 *       the directive that read the new target would inline the plain call: the target changes
 *       only once every task active or queued when the directive was added has ended ({@code
 *       jcmd Compiler.queue} lists them by id). (A flag read in an {@code if} is not enough
 *       either: such a task could read a profile in which the direct branch was taken.)
 *   <li>the network poller, whose socket channels' JDK locks are what wedged without the
 *       directive, waits for it ({@link #status()}) before it opens its selector, once per JVM;
 *   <li>JDK lock code that C2 inlined into a goroutine's method before the directive was in is
 *       discarded with it when that method also inlined a jgo call that looks up its carrier
 *       (a channel operation, a park, {@code Go.yield}: the usual way a goroutine's method
 *       yields), through the same dependency. What remains open is such a method whose only
 *       yields are calls the JIT did not inline, compiled in the fraction of a second before the
 *       directive is in; a program that gets that hot that fast can add the directive itself
 *       ({@code -XX:CompileCommand=dontinline,java.util.concurrent.locks.*::*}), as the warning
 *       below says for JVMs without the management module.
 * </ol>
 */
final class InlineGuard {
    static final String DIRECTIVE = "[{match: \"*.*\", inline: [\"-java/util/concurrent/locks/*.*\","
            + " \"-sun/nio/ch/*.*\", \"-java/lang/ThreadLocal.*\","
            + " \"-dev/jgo/spi/Carrier.currentThreadOutOfLine\", \"-dev/jgo/core/internal/Emit.*\"]}]";

    /** A compile task's id in {@code jcmd Compiler.queue}'s output: an active one or a queued one. */
    private static final Pattern TASK = Pattern.compile("^(?:.*CompilerThread\\d+)?\\s+(\\d+)\\s");

    /** How long to wait for the compilations that began without the directive. */
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(60);

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
        added = s.startsWith("compiler directive added"); // volatile write, read by added()
        STATUS.complete(s);
        // Invariant: the direct carrier lookup is in use only once no compilation that began
        // without the directive can still read it (see "off the critical path", step 2).
        if (added && awaitCompilesBeforeTheDirective()) {
            Carrier.useDirectLookup();
        }
    }

    /** The DiagnosticCommand MBean's name. */
    private static ObjectName diagnosticCommand() throws Exception {
        return new ObjectName("com.sun.management:type=DiagnosticCommand");
    }

    private static String apply() {
        try {
            Path f = Files.createTempFile("jgo-inline", ".json");
            try {
                Files.writeString(f, DIRECTIVE);
                Object r = ManagementFactory.getPlatformMBeanServer()
                        .invoke(
                                diagnosticCommand(),
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

    /**
     * Waits until every compile task that was active or queued when the directive was added has
     * ended (a task takes the directives in force when it is created). Returns false if that
     * cannot be told (the queue cannot be read) or takes over a minute: the lookup then stays on
     * the handle, which is right without the directive.
     */
    private static boolean awaitCompilesBeforeTheDirective() {
        try {
            Set<String> before = tasks();
            long deadline = System.nanoTime() + DRAIN_NANOS;
            while (!before.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(10);
                before.retainAll(tasks());
            }
            return true;
        } catch (Exception | LinkageError e) {
            System.getLogger("dev.jgo")
                    .log(
                            System.Logger.Level.DEBUG,
                            "compile queue not readable, carrier lookup stays on the handle",
                            e);
            return false;
        }
    }

    /** The ids of the compile tasks active or queued now. */
    private static Set<String> tasks() throws Exception {
        Object r = ManagementFactory.getPlatformMBeanServer()
                .invoke(diagnosticCommand(), "compilerQueue", new Object[] {new String[0]}, new String[] {
                    String[].class.getName()
                });
        Set<String> ids = new HashSet<>();
        for (String line : String.valueOf(r).split("\\R")) {
            Matcher m = TASK.matcher(line);
            if (m.find()) {
                ids.add(m.group(1));
            }
        }
        return ids;
    }
}
