package dev.jgo.assembly.internal;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * Keeps C2 and C1 from inlining {@code dev.jgo.spi.Carrier.current()} and {@code
 * currentOrNull()} into their callers, by adding a compiler directive through the
 * DiagnosticCommand MBean (the in-process form of {@code jcmd Compiler.directives_add}).
 *
 * <p>Why: both look the carrier up with {@link Thread#currentThread()}, which the JIT treats as
 * invariant within one compiled method. Once {@code Go.yield()} is inlined into a goroutine's
 * loop, the lookup is hoisted out of the loop, and after the continuation resumes on another
 * carrier thread the goroutine calls into the carrier it left: the wrong M's {@code mcallOp} is
 * set ("goroutine N yielded without an mcall op") or {@code Carrier.current()} fails ("not
 * called from a goroutine"). The {@code yield-many} workload hits this within a second. With the
 * lookup in its own compiled method every call reads the current thread afresh. This belongs in
 * the scheduler; until it is fixed there, the CLI applies it before running anything.
 */
final class JitWorkaround {
    static final String DIRECTIVE = "[{match: \"*.*\", inline: \"-dev/jgo/spi/Carrier.current*\"}]";

    private JitWorkaround() {}

    /** Adds the directive; returns a one-line description of what happened. */
    static String apply() {
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
            return "compiler directive NOT added (" + e + "); jgo may misbehave after yields";
        }
    }
}
