package dev.jgo.spi;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * Keeps the JIT from inlining {@link Carrier#current()} and {@link Carrier#currentOrNull()} into
 * their callers, by adding a compiler directive through the DiagnosticCommand MBean (the
 * in-process form of {@code jcmd Compiler.directives_add}). Installed once per JVM by {@link
 * Carrier}'s class initializer, before any carrier exists.
 *
 * <h2>Design note: the carrier lookup across a yield</h2>
 *
 * A goroutine finds its carrier with {@link Thread#currentThread()}. C2 derives that value from
 * the thread register through a load it treats as immutable within one compiled method, so once
 * a yield (say {@code Go.yield()}) is inlined into a goroutine's loop, the lookup is hoisted out
 * of the loop. The continuation may resume on another carrier thread, and the goroutine then
 * calls into the carrier it left: it sets the wrong M's {@code mcallOp}, or uses another M's P
 * from the wrong thread, breaking the run queue's single-producer rule. The JDK's own fix for its
 * virtual threads ({@code @ChangesCurrentThread}) is honoured only for JDK classes.
 *
 * <p>Rejected: a {@code -XX:CompileCommand} flag (every embedding application would have to
 * pass it; the CLI jar's manifest cannot) and a thread-local cache (it reads the current thread
 * the same way). Chosen: keep the lookup in its own compiled method, so every call reads the
 * thread afresh, at the cost of one call per {@code Go.*} or channel operation. If the directive
 * cannot be added (no {@code jdk.management} module), a warning is printed once.
 */
final class CarrierLookupGuard {
    static final String DIRECTIVE = "[{match: \"*.*\", inline: \"-dev/jgo/spi/Carrier.current*\"}]";

    private CarrierLookupGuard() {}

    /** What {@link #apply()} did, for diagnostics. */
    static final String STATUS = apply();

    /** Adds the directive; returns a one-line description of what happened. */
    private static String apply() {
        try {
            Path f = Files.createTempFile("jgo-jit", ".json");
            try {
                Files.writeString(f, DIRECTIVE);
                Object r = ManagementFactory.getPlatformMBeanServer()
                        .invoke(
                                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                                "compilerDirectivesAdd",
                                new Object[] {new String[] {f.toString()}},
                                new String[] {String[].class.getName()});
                return "compiler directive added: do not inline dev.jgo.spi.Carrier.current* ("
                        + String.valueOf(r).strip() + ")";
            } finally {
                Files.deleteIfExists(f);
            }
        } catch (Exception | LinkageError e) {
            String msg = "compiler directive NOT added (" + e + "); goroutines that loop over yields may"
                    + " resume with a stale carrier: run with -XX:CompileCommand=dontinline,dev.jgo.spi.Carrier::current*";
            System.err.println("jgo: " + msg);
            return msg;
        }
    }
}
