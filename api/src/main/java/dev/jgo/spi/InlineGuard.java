package dev.jgo.spi;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import javax.management.ObjectName;

/**
 * Keeps the JIT from inlining JDK code that reads {@link Thread#currentThread()} for lock
 * ownership into goroutine code, through a compiler directive added with the DiagnosticCommand
 * MBean (the in-process form of {@code jcmd Compiler.directives_add}). Installed once per JVM by
 * {@link Carrier}'s class initializer, before any carrier runs a goroutine (see "cold start" for
 * what that costs the first goroutine of a JVM).
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
 * <p>Limit: a directive applies to compilations after it. A method that C2 compiled before the
 * first carrier of the JVM started (on plain threads, with a JDK lock inlined) keeps that code
 * when goroutines call it later; such a method is protected only once it is recompiled (after a
 * deoptimization). Applications that warm such code up before starting a runtime can add the
 * same rules as {@code -XX:CompileCommand} flags (below) to be covered from the start.
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
 * <h2>Design note: cold start</h2>
 *
 * Adding the directive is most of the time the first goroutine of a JVM waits for: 120-250 ms of
 * CPU in an empty JVM on a 2-core machine (see "Cold start" in docs/benchmarks.md). Nearly all of
 * it is {@code ManagementFactory.getPlatformMBeanServer()}: it creates the JMX server, registers
 * every platform MXBean, and asks the DiagnosticCommand MBean for its {@code MBeanInfo}, which
 * builds the help of every diagnostic command (for JFR's that parses {@code default.jfc} and
 * {@code profile.jfc}).
 *
 * <p>Rejected:
 *
 * <ol>
 *   <li>A cheaper route to the same command. The platform MBean server is the only public way to
 *       the DiagnosticCommand MBean: it is a DynamicMBean, which {@code
 *       ManagementFactory.getPlatformMXBean} cannot find, and its class and provider are in
 *       packages the JDK does not export. {@code HotSpotDiagnosticMXBean} (cheap to get) sets only
 *       manageable flags, none of which adds a directive; attaching to the own JVM needs {@code
 *       -Djdk.attach.allowAttachSelf=true}. Java SE has no other API for compiler directives.
 *   <li>Running goroutines before the directive is in place, with a bounded wait later. A
 *       directive affects only later compilations; code compiled before it keeps its inlining for
 *       the life of the JVM. C2 compiles a hot loop on stack replacement after about 100,000
 *       iterations (Tier3 and Tier4 back-edge thresholds), and nothing the scheduler sees
 *       (switches, yields, operations) bounds them: in a fresh JVM a loop of 200,000 {@code
 *       ReentrantLock} lock/unlock pairs was compiled by C2 with both inlined and finished within
 *       20-100 ms, inside the install's time. A goroutine that parks after such a loop and resumes
 *       on another carrier then takes the lock as the carrier it left, at any later time. So no
 *       wait placed after the first goroutine starts keeps what the directive protects (an earlier
 *       attempt, which also switched the carrier lookup meanwhile, read stale carriers in the
 *       scheduler's own tests).
 *   <li>Adding it on a thread of its own from the first {@code build()}, overlapping the build,
 *       the first carrier still waiting for it (Carrier's class-initialization lock). Safe, and
 *       tried: on the 2-core development machine it gained nothing, since the JIT's threads and
 *       the build already keep both cores busy (first goroutine, median of 18 fresh JVMs on the
 *       quiet machine: 182 ms without, 178 ms with it and the file below; of 90 under load: 384
 *       ms without, 416 ms with).
 * </ol>
 *
 * <p>So the directive is added by Carrier's class initializer on the thread that first creates a
 * carrier, before that carrier runs a goroutine.
 *
 * <p>The temporary file is named from the process id and {@code System.nanoTime()} and created with
 * {@code CREATE_NEW}, owner-only where the file system is POSIX: {@code Files.createTempFile}
 * seeds a {@code SecureRandom} for its name, 10-40 ms of a cold JVM.
 */
final class InlineGuard {
    static final String DIRECTIVE = "[{match: \"*.*\", inline: [\"-java/util/concurrent/locks/*.*\","
            + " \"-sun/nio/ch/*.*\", \"-java/lang/ThreadLocal.*\","
            + " \"-dev/jgo/spi/Carrier.currentThreadOutOfLine\", \"-dev/jgo/core/internal/Emit.*\"]}]";

    /** Permissions of the directive's file on POSIX; declared before {@link #STATUS} uses it. */
    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    /** What {@link #apply()} did, for diagnostics. */
    static final String STATUS = apply();

    /** Whether the directive is in place (else callers keep their slower fallbacks). */
    static final boolean ADDED = STATUS.startsWith("compiler directive added");

    private InlineGuard() {}

    private static String apply() {
        try {
            Path f = createDirectiveFile();
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

    /**
     * Creates an empty file for the directive in {@code java.io.tmpdir}, readable and writable by
     * the owner only on POSIX; fails rather than open a file that exists (see "cold start").
     */
    private static Path createDirectiveFile() throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        String stem = "jgo-inline-" + ProcessHandle.current().pid() + "-";
        for (int attempt = 0; ; attempt++) {
            Path f = dir.resolve(stem + System.nanoTime() + ".json");
            try {
                return posix
                        ? Files.createFile(f, PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                        : Files.createFile(f);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }
}
