package dev.jgo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.PolicyControl;
import dev.jgo.spi.TimerQueue;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --policy} and {@code --schedtrace}: parsing, messages, and the runtimes they build. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RuntimeOptionsTest {

    private static RuntimeOptions parse(String... args) {
        Args.RuntimeArgs r = new Args.RuntimeArgs();
        List<String> l = List.of(args);
        for (int i = 0; i < l.size(); ) {
            int took = r.accept(l, i);
            assertTrue(took > 0, "not a runtime option: " + l.get(i));
            i += took;
        }
        return r.result();
    }

    @Test
    void policiesAndSchedtraceParseInBothSpellings() {
        RuntimeOptions o =
                parse("--policy", "steal=linear", "--policy=spin=one", "--policy", "timers=wheel", "--schedtrace");
        assertEquals(Map.of("steal", "linear", "spin", "one", "timers", "wheel"), o.policies());
        assertEquals(RuntimeOptions.DEFAULT_SCHEDTRACE_MS, o.schedtraceMillis());
        assertEquals("steal=linear spin=one timers=wheel", o.label());
        assertEquals(250, parse("--schedtrace=250").schedtraceMillis());
        assertEquals("defaults", parse().label());
    }

    @Test
    void otherArgumentsAreLeftToTheCommand() {
        assertEquals(0, new Args.RuntimeArgs().accept(List.of("--procs", "2"), 0));
        assertEquals(0, new Args.RuntimeArgs().accept(List.of("--policies", "steal=go"), 0));
    }

    @Test
    void badPoliciesNameWhatIsValid() {
        UsageException e = assertThrows(UsageException.class, () -> parse("--policy", "tokio"));
        assertTrue(
                e.getMessage().contains("expected KIND=NAME, got 'tokio' (kinds: steal, spin, fair, timers)"),
                e.getMessage());
        e = assertThrows(UsageException.class, () -> parse("--policy", "steal="));
        assertTrue(e.getMessage().contains("expected KIND=NAME"), e.getMessage());
        e = assertThrows(UsageException.class, () -> parse("--policy", "order=go"));
        assertTrue(
                e.getMessage().contains("unknown kind 'order' in 'order=go' (kinds: steal, spin, fair, timers)"),
                e.getMessage());
        e = assertThrows(UsageException.class, () -> parse("--policy", "steal=random"));
        assertTrue(
                e.getMessage().contains("unknown steal policy 'random' (known: go, linear, sticky, tokio, kotlin)"),
                e.getMessage());
        e = assertThrows(UsageException.class, () -> parse("--policy", "spin=lots"));
        assertTrue(e.getMessage().contains("(known: go, go-strict, one, none)"), e.getMessage());
        e = assertThrows(UsageException.class, () -> parse("--policy", "fair=tokio"));
        assertTrue(
                e.getMessage().contains("(known: " + String.join(", ", dev.jgo.spi.Policies.FAIR) + ")"),
                e.getMessage());
        e = assertThrows(UsageException.class, () -> parse("--policy", "timers=list"));
        assertTrue(e.getMessage().contains("unknown timers 'list' (known: heap, wheel)"), e.getMessage());
        e = assertThrows(UsageException.class, () -> parse("--policy", "steal=go", "--policy", "steal=tokio"));
        assertTrue(e.getMessage().contains("kind 'steal' given twice"), e.getMessage());
        e = assertThrows(UsageException.class, () -> parse("--policy"));
        assertTrue(e.getMessage().contains("needs a value KIND=NAME"), e.getMessage());
        e = assertThrows(UsageException.class, () -> parse("--schedtrace=0"));
        assertTrue(e.getMessage().contains("--schedtrace must be at least 1, got 0"), e.getMessage());
    }

    @Test
    void badProcsNameTheRange() {
        for (String p : List.of("0", "-1", "4097", "two")) {
            UsageException e = assertThrows(UsageException.class, () -> Args.parseProcs("--procs", p));
            assertTrue(
                    e.getMessage().contains("must be in [1, 4096]")
                            || e.getMessage().contains("needs an integer"),
                    e.getMessage());
        }
        assertEquals(4096, Args.parseProcs("--procs", "4096"));
    }

    @Test
    void theRuntimeGetsThePoliciesAndTheTimerStructure() {
        RuntimeOptions o = parse("--policy", "steal=sticky", "--policy", "spin=none", "--policy", "timers=wheel");
        try (GoRuntime rt = o.build(GoRuntime.builder().procs(2))) {
            PolicyControl pc = (PolicyControl) rt;
            assertEquals("sticky", pc.stealPolicy().name());
            assertEquals("none", pc.spinPolicy().name());
            assertEquals(
                    "wheel", rt.run(() -> TimerQueue.current(Carrier.current()).name()));
        }
        try (GoRuntime rt = RuntimeOptions.defaults().build(GoRuntime.builder().procs(1))) {
            assertEquals(
                    "heap", rt.run(() -> TimerQueue.current(Carrier.current()).name()));
        }
    }

    @Test
    void schedtraceIsSetOnlyWhileTheRuntimeIsBuilt() {
        String before = System.getProperty(RuntimeOptions.DEBUG_PROPERTY);
        assertNull(before, "the test JVM runs without -Djgo.debug");
        try (GoRuntime rt =
                parse("--schedtrace=10000").build(GoRuntime.builder().procs(1))) {
            assertEquals(1, rt.gomaxprocs());
            assertNull(System.getProperty(RuntimeOptions.DEBUG_PROPERTY));
        }
    }
}
