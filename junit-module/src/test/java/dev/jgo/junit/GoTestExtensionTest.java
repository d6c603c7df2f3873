package dev.jgo.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.jgo.DeadlockException;
import dev.jgo.Go;
import dev.jgo.spi.Carrier;
import dev.jgo.sync.Chan;
import dev.jgo.time.Time;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.opentest4j.TestAbortedException;

/**
 * {@link GoTest} as JUnit runs it: fixture classes run through the JUnit launcher, and their
 * outcomes checked (the fixtures are enabled only while this test runs them).
 */
@Timeout(120)
class GoTestExtensionTest {
    static final String FIXTURES = "jgo.junit.fixtures";
    static final Instant EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    /** Runs a fixture class; returns each method's result by name. */
    static synchronized Map<String, TestExecutionResult> run(Class<?> fixture, String seedProperty) {
        Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
        String oldSeed = System.getProperty(GoTestExtension.SEED_PROPERTY);
        System.setProperty(FIXTURES, "true");
        if (seedProperty != null) {
            System.setProperty(GoTestExtension.SEED_PROPERTY, seedProperty);
        } else {
            System.clearProperty(GoTestExtension.SEED_PROPERTY);
        }
        try {
            LauncherFactory.create()
                    .execute(
                            LauncherDiscoveryRequestBuilder.request()
                                    .selectors(selectClass(fixture))
                                    .build(),
                            new TestExecutionListener() {
                                @Override
                                public void executionFinished(TestIdentifier id, TestExecutionResult r) {
                                    if (id.getSource().orElse(null) instanceof MethodSource m) {
                                        results.put(m.getMethodName(), r);
                                    }
                                }
                            });
        } finally {
            System.clearProperty(FIXTURES);
            if (oldSeed != null) {
                System.setProperty(GoTestExtension.SEED_PROPERTY, oldSeed);
            } else {
                System.clearProperty(GoTestExtension.SEED_PROPERTY);
            }
        }
        return results;
    }

    static Throwable failure(Map<String, TestExecutionResult> rs, String method) {
        TestExecutionResult r = rs.get(method);
        assertNotNull(r, method + " did not run: " + rs.keySet());
        assertEquals(TestExecutionResult.Status.FAILED, r.getStatus(), method + ": " + r);
        return r.getThrowable().orElseThrow();
    }

    static void passed(Map<String, TestExecutionResult> rs, String method) {
        TestExecutionResult r = rs.get(method);
        assertNotNull(r, method + " did not run: " + rs.keySet());
        assertEquals(
                TestExecutionResult.Status.SUCCESSFUL,
                r.getStatus(),
                () -> method + ": " + r.getThrowable().map(Throwable::toString).orElse(""));
    }

    @EnabledIfSystemProperty(named = FIXTURES, matches = "true")
    static class Fixtures {
        @GoTest
        void runsAsAGoroutineOnOnePWithVirtualTime() {
            assertTrue(Go.inGoroutine());
            assertEquals(1, Carrier.current().scheduler().view().gomaxprocs());
            assertEquals(EPOCH, Time.now());
            Go.sleep(Duration.ofDays(3));
            assertEquals(EPOCH.plus(Duration.ofDays(3)), Time.now());
        }

        @GoTest(procs = 4)
        void procsSetsGomaxprocs() {
            assertEquals(4, Carrier.current().scheduler().view().gomaxprocs());
        }

        @GoTest(virtualTime = false)
        void wallClockWhenVirtualTimeIsOff() {
            Instant now = Time.now();
            assertTrue(Duration.between(now, Instant.now()).abs().toMinutes() < 1, now::toString);
            assertThrows(IllegalStateException.class, Go::awaitBlocked);
        }

        @GoTest(seed = 42)
        void failsWithSeed42() {
            fail("boom");
        }

        @GoTest
        void failsWithARandomSeed() {
            fail("random");
        }

        @GoTest
        void deadlocks() {
            Chan.<Integer>nil().recv();
        }

        @GoTest
        void leavesAGoroutineBlockedForGood() {
            Chan<Integer> never = Chan.make(0);
            Go.go(never::recv);
        }

        @GoTest
        void leavesASleeperBehind() {
            Go.go(() -> Go.sleep(Duration.ofNanos(1))); // Go: the clock stops when the test returns
        }

        @GoTest
        void leavesAGoroutineThatEnds() {
            Chan<Integer> c = Chan.make(1);
            Go.go(() -> {
                for (int i = 0; i < 100; i++) {
                    Go.yield();
                }
                c.send(1);
            });
        }

        @GoTest
        void abortsOnAnAssumption() {
            Assumptions.assumeTrue(false, "not here");
        }

        @GoTest
        @Timeout(1)
        void outlivesItsTimeout() {
            Go.blocking(() -> {
                Thread.sleep(60_000); // interrupted by close once JUnit gave up on the test
                return null;
            });
        }

        @GoTest
        void aGoroutineThrows() {
            Chan<Integer> c = Chan.make(0);
            Go.go(() -> {
                throw new IllegalArgumentException("thrown in a goroutine");
            });
            c.recv();
        }
    }

    @Test
    void fixturesOutcomes() {
        Map<String, TestExecutionResult> rs = run(Fixtures.class, null);
        passed(rs, "runsAsAGoroutineOnOnePWithVirtualTime");
        passed(rs, "procsSetsGomaxprocs");
        passed(rs, "wallClockWhenVirtualTimeIsOff");
        passed(rs, "leavesAGoroutineThatEnds");

        Throwable f = failure(rs, "failsWithSeed42");
        assertTrue(f.getMessage().contains(" [jgo seed=42]"), f.getMessage());
        assertTrue(f.getMessage().contains("-Djgo.seed=42"), f.getMessage());
        assertEquals("boom", f.getCause().getMessage());
        assertInstanceOf(AssertionError.class, f.getCause());

        Throwable r = failure(rs, "failsWithARandomSeed");
        assertTrue(r.getMessage().matches("(?s)random \\[jgo seed=-?\\d+\\].*"), r.getMessage());

        Throwable d = failure(rs, "deadlocks");
        assertInstanceOf(DeadlockException.class, d.getCause());
        assertTrue(d.getMessage().contains("[jgo seed="), d.getMessage());

        Throwable left = failure(rs, "leavesAGoroutineBlockedForGood");
        assertTrue(left.getMessage().contains("1 goroutine it started can never end"), left.getMessage());
        assertTrue(left.getMessage().contains("[chan receive]"), left.getMessage());

        Throwable sleeper = failure(rs, "leavesASleeperBehind");
        assertTrue(sleeper.getMessage().contains("[sleep]"), sleeper.getMessage());

        TestExecutionResult a = rs.get("abortsOnAnAssumption");
        assertEquals(TestExecutionResult.Status.ABORTED, a.getStatus());
        assertInstanceOf(TestAbortedException.class, a.getThrowable().orElseThrow());

        Throwable t = failure(rs, "outlivesItsTimeout");
        assertInstanceOf(java.util.concurrent.TimeoutException.class, t, t::toString);

        Throwable g = failure(rs, "aGoroutineThrows");
        assertEquals("thrown in a goroutine", g.getCause().getMessage());
    }

    @Test
    void jgoSeedPropertyReplacesOnlyTheRandomDefault() {
        Map<String, TestExecutionResult> rs = run(Fixtures.class, "777");
        assertTrue(failure(rs, "failsWithARandomSeed").getMessage().contains(" [jgo seed=777]"));
        assertTrue(failure(rs, "failsWithSeed42").getMessage().contains(" [jgo seed=42]"));
    }

    @Test
    void aFailureKeepsTheOriginalAsItsCause() {
        IllegalStateException e = new IllegalStateException("original");
        Throwable w = GoTestExtension.withSeed(e, 5);
        assertSame(e, w.getCause());
        assertEquals(
                "original [jgo seed=5] (rerun this schedule with -Djgo.seed=5 or @GoTest(seed = 5L))", w.getMessage());
        TestAbortedException ab = new TestAbortedException("skip");
        assertSame(ab, GoTestExtension.withSeed(ab, 5));
    }
}
