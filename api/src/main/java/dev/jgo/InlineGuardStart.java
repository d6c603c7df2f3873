package dev.jgo;

import dev.jgo.spi.Carrier;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the install of the compiler directive of {@code dev.jgo.spi.InlineGuard} when the first
 * runtime of a JVM is built, so that it overlaps building the runtime instead of following it
 * ("cold start" in {@code InlineGuard}).
 *
 * <p>The install is {@link Carrier}'s class initialization, run on a thread of its own. Nothing
 * else changes: every carrier still initializes {@link Carrier} before it runs a goroutine, so the
 * first carrier waits (on the JVM's class-initialization lock) until the directive is in place.
 */
final class InlineGuardStart {
    /** Set once the install has been started; a later build finds it started or done. */
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private InlineGuardStart() {}

    /**
     * Starts initializing {@link Carrier} on a daemon thread, once per JVM.
     *
     * <p>Concurrency: any thread.
     */
    static void begin() {
        if (STARTED.get() || !STARTED.compareAndSet(false, true)) { // CAS: one starter per JVM
            return;
        }
        // In the root group, under a name no runtime's threads take: it belongs to no runtime,
        // and a check for threads a runtime left behind must not count it while it finishes.
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        try {
            Thread.ofPlatform()
                    .group(root)
                    .daemon()
                    .name("InlineGuard install")
                    .inheritInheritableThreadLocals(false)
                    .start(InlineGuardStart::initCarrier);
        } catch (OutOfMemoryError e) {
            // No thread to spare: the first carrier adds the directive itself, as without this.
        }
    }

    /** Runs Carrier's class initializer (the directive's install); its failure resurfaces there. */
    private static void initCarrier() {
        try {
            Carrier.inlineGuardStatus();
        } catch (Throwable t) {
            // Carrier's initializer failed: the first carrier gets a NoClassDefFoundError whose
            // cause is this error, so nothing is reported here.
        }
    }
}
