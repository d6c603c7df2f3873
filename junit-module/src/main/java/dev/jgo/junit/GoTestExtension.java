package dev.jgo.junit;

import dev.jgo.Go;
import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.GoroutineInfo;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/**
 * Runs a {@link GoTest} method as the main goroutine of a fresh runtime (see {@link GoTest}).
 * Registered by the annotation; not meant to be registered by hand.
 */
final class GoTestExtension implements InvocationInterceptor {
    /** The system property that sets the seed of tests whose {@link GoTest#seed()} is RANDOM. */
    static final String SEED_PROPERTY = "jgo.seed";

    GoTestExtension() {}

    @Override
    public void interceptTestMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        GoTest a = AnnotationSupport.findAnnotation(call.getExecutable(), GoTest.class)
                .orElseThrow(() -> new ExtensionConfigurationException(
                        "GoTestExtension intercepts only @GoTest methods: " + call.getExecutable()));
        long seed = seed(a);
        Throwable failure;
        GoRuntime rt;
        try {
            rt = GoRuntime.builder()
                    .name("jgo-test")
                    .procs(a.procs())
                    .virtualTime(a.virtualTime())
                    .seed(seed)
                    .build();
        } catch (RuntimeException e) {
            throw new ExtensionConfigurationException("@GoTest cannot build its runtime: " + e.getMessage(), e);
        }
        try {
            failure = rt.run(() -> body(invocation, rt));
        } catch (Throwable t) { // a deadlock, an uncaught goroutine exception, an interrupt
            failure = t;
        } finally {
            rt.close();
        }
        if (failure != null) {
            throw withSeed(failure, seed);
        }
    }

    /**
     * The main goroutine: the test method, then the end of synctest.Test (every goroutine it
     * started must end). Returns what failed, or null.
     */
    private static Throwable body(Invocation<Void> invocation, GoRuntime rt) {
        try {
            invocation.proceed();
        } catch (Throwable t) {
            return t;
        }
        int left = Carrier.current().scheduler().awaitOthersDone();
        if (left > 0) {
            return new AssertionError("the test returned, but " + left + (left == 1 ? " goroutine" : " goroutines")
                    + " it started can never end (blocked for good):\n\n" + dump(rt, Go.id()));
        }
        return null;
    }

    /** The seed: the annotation's, else {@code -Djgo.seed}, else a fresh random one. */
    static long seed(GoTest a) {
        if (a.seed() != GoTest.RANDOM) {
            return a.seed();
        }
        String p = System.getProperty(SEED_PROPERTY);
        if (p != null && !p.isBlank()) {
            try {
                return Long.parseLong(p.strip());
            } catch (NumberFormatException e) {
                throw new ExtensionConfigurationException("-D" + SEED_PROPERTY + " must be a long, got '" + p + "'");
            }
        }
        long s;
        do {
            s = ThreadLocalRandom.current().nextLong();
        } while (s == GoTest.RANDOM);
        return s;
    }

    /** The failure JUnit sees: the seed and how to rerun it in the message, the original as cause. */
    static Throwable withSeed(Throwable t, long seed) {
        if (t instanceof TestAbortedException) {
            return t; // a failed assumption is not a failure of this schedule
        }
        String msg = t.getMessage() != null ? t.getMessage() : t.toString();
        return new AssertionError(
                msg + " [jgo seed=" + seed + "] (rerun this schedule with -D" + SEED_PROPERTY + "=" + seed
                        + " or @GoTest(seed = " + seed + "L))",
                t);
    }

    /**
     * Every goroutine but {@code self} in Go's traceback format ({@code goroutine N [reason]:}),
     * jgo's own frames left out.
     */
    static String dump(GoRuntime rt, long self) {
        StringBuilder sb = new StringBuilder();
        List<GoroutineInfo> gs;
        try {
            gs = rt.view().goroutines();
        } catch (UnsupportedOperationException e) {
            return "(no goroutine dump: " + e.getMessage() + ")";
        }
        for (GoroutineInfo g : gs) {
            if (g.id() == self) {
                continue;
            }
            String why = g.waitReason() != null && !g.waitReason().text().isEmpty()
                    ? g.waitReason().text()
                    : g.state().toString().toLowerCase(java.util.Locale.ROOT);
            sb.append("goroutine ").append(g.id()).append(" [").append(why).append("]:\n");
            for (StackTraceElement e : g.stack()) {
                if (!internal(e.getClassName())) {
                    sb.append('\t').append(e).append('\n');
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static boolean internal(String cls) {
        return (cls.startsWith("dev.jgo.") && cls.contains(".internal."))
                || cls.startsWith("dev.jgo.spi.")
                || cls.startsWith("jdk.internal.vm.")
                || cls.startsWith("dev.jgo.junit.");
    }
}
