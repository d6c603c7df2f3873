package dev.jgo.core.internal;

/**
 * The JVM flags a runtime needs, checked once before anything touches a continuation, so that a
 * missing flag fails with one line that names it instead of an {@link IllegalAccessError} from
 * deep inside the first goroutine start.
 */
final class JvmFlags {
    /** The package of {@code Continuation}, which {@code java.base} does not export. */
    static final String CONTINUATION_PACKAGE = "jdk.internal.vm";

    private JvmFlags() {}

    /**
     * The {@code --add-exports} flag the module of {@code user} needs to use continuations:
     * {@code ALL-UNNAMED} on the class path and in OSGi bundles (unnamed modules), the module's
     * own name on the module path.
     */
    static String exportFlag(Module user) {
        return "--add-exports java.base/" + CONTINUATION_PACKAGE + "="
                + (user.isNamed() ? user.getName() : "ALL-UNNAMED");
    }

    /** The package whose virtual-thread builder takes a scheduler (see VirtualThreads "Reflective access"). */
    static final String LANG_PACKAGE = "java.lang";

    /** The {@code --add-opens} flag the module of {@code user} needs to schedule JDK virtual threads. */
    static String opensFlag(Module user) {
        return "--add-opens java.base/" + LANG_PACKAGE + "=" + (user.isNamed() ? user.getName() : "ALL-UNNAMED");
    }

    /**
     * Throws if {@code java.base} does not open {@code java.lang} to this module. The message's
     * first line names the flag to add.
     *
     * <p>Concurrency: any thread.
     *
     * @throws IllegalStateException naming the missing flag
     */
    static void requireLangOpens() {
        Module me = JvmFlags.class.getModule();
        if (Object.class.getModule().isOpen(LANG_PACKAGE, me)) {
            return;
        }
        throw new IllegalStateException("jgo needs the JVM flag " + opensFlag(me) + " for virtual threads\n"
                + "GoRuntime.virtualThreadBuilder() makes the JDK's own virtual-thread builder for jgo's scheduler"
                + " through a constructor java.base does not open. Put the flag on the java command line"
                + " (java -jar jgo.jar adds it from its manifest); for Maven Surefire add it to <argLine>.");
    }

    /**
     * Throws if {@code java.base} does not export {@code jdk.internal.vm} to this module. The
     * message's first line names the flag to add.
     *
     * <p>Concurrency: any thread.
     *
     * @throws IllegalStateException naming the missing flag
     */
    static void requireContinuationAccess() {
        Module me = JvmFlags.class.getModule();
        if (Object.class.getModule().isExported(CONTINUATION_PACKAGE, me)) {
            return;
        }
        throw new IllegalStateException("jgo needs the JVM flag " + exportFlag(me) + "\n"
                + "Goroutines are jdk.internal.vm.Continuation objects, which java.base does not export."
                + " Put the flag on the java command line (java -jar jgo.jar adds it from its manifest);"
                + " for Maven Surefire add it to <argLine>, for exec:java to MAVEN_OPTS or .mvn/jvm.config,"
                + " for Apache Felix to the JVM that starts the framework.");
    }
}
