package dev.jgo.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test ({@link Test}) that runs as the main goroutine of a fresh runtime, as Go's {@code
 * synctest.Test} runs its function in a bubble:
 *
 * <pre>{@code
 * @GoTest
 * void cacheEntryExpires() {
 *     Cache cache = new Cache(Duration.ofMinutes(5));
 *     cache.put("k", "v");
 *     Go.sleep(Duration.ofMinutes(5)); // virtual: returns at once
 *     Go.awaitBlocked();               // the expiry goroutine has done its work
 *     assertNull(cache.get("k"));
 * }
 * }</pre>
 *
 * <ul>
 *   <li>The runtime has {@link #procs()} Ps, virtual time unless {@link #virtualTime()} is false
 *       ({@code GoRuntime.Builder.virtualTime}), and the seed {@link #seed()} ({@code
 *       GoRuntime.Builder.seed}); with {@link #RANDOM} a fresh seed is drawn for each run, or
 *       taken from {@code -Djgo.seed=N}, which replaces only that default.
 *   <li>When the method returns, the runtime waits for the goroutines it started to end,
 *       moving virtual time as needed; goroutines left blocked for good fail the test with
 *       their dump, as in Go. The runtime is closed after each test.
 *   <li>A failure is rethrown as an {@link AssertionError} whose message ends with {@code
 *       [jgo seed=N]} and says how to rerun that schedule, with the original exception as its
 *       cause. A failed assumption is rethrown as it is.
 * </ul>
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(GoTestExtension.class)
public @interface GoTest {
    /** The value of {@link #seed()} that asks for a fresh random seed per run. */
    long RANDOM = Long.MIN_VALUE;

    /** GOMAXPROCS of the test's runtime; with 1 (the default) the seed reproduces the schedule. */
    int procs() default 1;

    /** Whether the runtime's clock is virtual (see {@code GoRuntime.Builder.virtualTime}). */
    boolean virtualTime() default true;

    /**
     * The seed of the runtime's scheduling choices; {@link #RANDOM} (the default) draws a fresh
     * one per run, or uses {@code -Djgo.seed=N} when set.
     */
    long seed() default RANDOM;
}
