package dev.jgo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.bench.CompareOptions.PolicySet;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.Policies;
import dev.jgo.spi.SpinPolicy;
import dev.jgo.spi.StealPolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;

class CompareTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void policiesExpandToEveryCombinationStealSlowest() {
        List<PolicySet> m = CompareOptions.parsePolicies("steal=go,linear,sticky; spin=go,one,none");
        assertEquals(9, m.size());
        assertEquals(new PolicySet("go", "go", "go"), m.get(0));
        assertEquals(new PolicySet("go", "one", "go"), m.get(1));
        assertEquals(new PolicySet("sticky", "none", "go"), m.get(8));
        assertEquals(List.of(new PolicySet("go", "go", "nobudget")), CompareOptions.parsePolicies("fair=nobudget"));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void starveUnderThreeFairnessPoliciesReportsItsWaitPerRun() throws Exception {
        CompareOptions o = CompareOptions.parse(List.of(
                "--workloads", "starve",
                "--policies", "fair=go,nobudget,tuned",
                "--procs", "1",
                "--n", "2",
                "--runs", "1",
                "--warmup", "0",
                "--out", tmp.resolve("fair").toString()));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<Compare.Cell> cells = Compare.run(o, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertEquals(3, cells.size());
        for (Compare.Cell c : cells) {
            assertEquals(List.of("wait p50 us", "wait max us"), c.figureNames());
            assertTrue(c.medianFigure("wait max us") > 0, c.toString());
        }
        assertTrue(printed.contains("go/go/tuned") && printed.contains("wait max us="), printed);
        List<String> lines = Files.readAllLines(tmp.resolve("fair/compare.csv"));
        assertEquals(4, lines.size());
        assertTrue(lines.get(3).matches(".*,wait p50 us=[0-9.]+;wait max us=[0-9.]+"), lines.get(3));
        assertTrue(Files.exists(tmp.resolve("fair/compare-starve.svg")));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void badOptionsNameWhatIsKnown() {
        UsageException e = assertThrows(UsageException.class, () -> CompareOptions.parsePolicies("steal=random"));
        assertTrue(e.getMessage().contains("unknown steal policy 'random' (known: go, linear, sticky"), e.getMessage());
        e = assertThrows(UsageException.class, () -> CompareOptions.parsePolicies("order=go"));
        assertTrue(e.getMessage().contains("unknown kind 'order' (kinds: steal, spin, fair)"), e.getMessage());
        e = assertThrows(UsageException.class, () -> CompareOptions.parsePolicies("steal=go;steal=linear"));
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());
        e = assertThrows(UsageException.class, () -> CompareOptions.parsePolicies("linear"));
        assertTrue(e.getMessage().contains("expected KIND=NAME"), e.getMessage());
        assertThrows(UsageException.class, () -> CompareOptions.parse(List.of("--procs", "0")));
        assertThrows(UsageException.class, () -> CompareOptions.parse(List.of("--workloads", "nope")));
        assertThrows(UsageException.class, () -> CompareOptions.parse(List.of("--runs")));
        assertThrows(UsageException.class, () -> CompareOptions.parse(List.of("--bogus", "1")));
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aTinyMatrixWritesOneCsvRowPerRunAndOneWellFormedChartPerWorkload() throws Exception {
        CompareOptions o = CompareOptions.parse(List.of(
                "--workloads", "skynet,yield-many",
                "--policies", "steal=go,sticky;fair=go,tuned",
                "--procs", "1,2",
                "--n", "2000",
                "--runs", "2",
                "--warmup", "0",
                "--out", tmp.resolve("out").toString()));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<Compare.Cell> cells = Compare.run(o, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertEquals(2 * 2 * 4, cells.size());
        assertTrue(printed.contains("cpu/wall") && printed.contains("flags:"), printed);

        List<String> lines = Files.readAllLines(tmp.resolve("out/compare.csv"));
        assertEquals(Compare.CSV_HEADER, lines.get(0));
        List<String> cols = List.of(Compare.CSV_HEADER.split(","));
        assertEquals(1 + 2 * 2 * 4 * 2, lines.size());
        Set<String> combos = new HashSet<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            assertEquals(cols.size(), f.length, line);
            assertEquals(2000, Integer.parseInt(f[cols.indexOf("n")]));
            assertTrue(Long.parseLong(f[cols.indexOf("wall_ns")]) > 0, line);
            long cpu = Long.parseLong(f[cols.indexOf("cpu_ns")]);
            assertTrue(cpu >= 0 || cpu == -1, line);
            Double.parseDouble(f[cols.indexOf("cpu_per_wall")]);
            // memory per run: every goroutine allocates, and the heap held at least the runtime
            assertTrue(Long.parseLong(f[cols.indexOf("alloc_bytes")]) > 0, line);
            assertTrue(Long.parseLong(f[cols.indexOf("peak_heap_bytes")]) > 0, line);
            long created = Long.parseLong(f[cols.indexOf("created")]);
            assertTrue(created > 0, line);
            assertTrue(Long.parseLong(f[cols.indexOf("spins")]) >= 0, line);
            combos.add(f[0] + " " + f[cols.indexOf("procs")] + " " + f[3] + "/" + f[4] + "/" + f[5]);
        }
        assertEquals(16, combos.size(), combos.toString());

        for (String w : List.of("skynet", "yield-many")) {
            Path svg = tmp.resolve("out/compare-" + w + ".svg");
            Document d =
                    DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
            assertEquals("svg", d.getDocumentElement().getNodeName());
            // background plus one wall bar and one CPU bar per cell (CPU time is known on HotSpot)
            assertEquals(1 + 2 * 8, d.getElementsByTagName("rect").getLength());
            String text = Files.readString(svg);
            assertTrue(text.contains("P=2  sticky/go/tuned"), text);
        }
    }

    /** Builds a runtime with spies around the named policies and runs skynet and yield-many on it. */
    private static Spies runWithSpies(String steal, String spin, String fair, int procs) {
        Spies s = new Spies(Policies.steal(steal), Policies.spin(spin), Policies.fairness(fair));
        GoRuntime.Builder b = GoRuntime.builder()
                .procs(procs)
                .stealPolicy(s.steal)
                .spinPolicy(s.spin)
                .fairnessPolicy(s.fair);
        try (GoRuntime rt = b.build()) {
            for (int i = 0; i < 20; i++) {
                for (String w : List.of("skynet", "yield-many")) {
                    Workload wl = Workloads.byName(w, procs).orElseThrow();
                    assertEquals(wl.expected(5000), wl.runJgo(rt, 5000));
                }
            }
            s.spins = rt.view().counters().spins();
        }
        return s;
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "linear", "sticky", "tokio", "kotlin"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void eachStealPolicyIsAskedForVictimsWhenSelected(String name) {
        Spies s = runWithSpies(name, "go", "go", 2);
        assertTrue(s.steal.firstVictims.sum() > 0, name + ": never asked for a victim");
        assertTrue(s.steal.runnextQuestions.sum() > 0, name + ": never asked about runnext");
        assertTrue(s.steal.stealEvents.sum() > 0, name + ": no steal in 40 runs on 2 Ps");
        if (name.equals("sticky")) {
            // it learned from the runtime's steal events: the thief starts at its last victim
            int thief = s.steal.lastThief.get();
            for (int r = 0; r < 64; r++) {
                assertEquals(s.steal.lastVictim.get(), s.steal.delegate.firstVictim(thief, 2, r));
            }
        }
        if (name.equals("linear")) {
            assertEquals(0, s.steal.otherStrides.sum(), "linear answered a stride other than 1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "go-strict", "one", "none"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void eachSpinPolicyDecidesWhenSelected(String name) {
        Spies s = runWithSpies("go", name, "go", 2);
        assertTrue(s.spin.asked.sum() > 0, name + ": never asked");
        if (name.equals("none")) {
            // the policy never lets an M start spinning by itself. The spins counter can still
            // move a little: an M that wakep started spinning, parked, and found work on its
            // last re-check is marked spinning again without asking the policy (FindRunnable.findRunnable).
            assertEquals(0, s.spin.yes.sum());
        } else {
            assertTrue(s.spin.yes.sum() > 0, name + ": never allowed a spin");
            assertTrue(s.spins > 0, name + ": spins counter did not move");
        }
        if (name.equals("one")) {
            assertEquals(0, s.spin.yesWhileOneSpinning.sum());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "nobudget", "tuned"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void eachFairnessPolicyIsReadWhenSelected(String name) {
        Spies s = runWithSpies("go", "go", name, 2);
        assertTrue(s.fair.intervals.sum() > 0, name + ": interval never read");
        assertTrue(s.fair.budgets.sum() > 0, name + ": budget never read");
        assertEquals(name.equals("nobudget") ? 0 : 128, s.fair.operationBudget());
        if (name.equals("tuned")) {
            // it measured the runtime's schedules and moved away from its initial 61
            assertTrue(s.fair.answers.stream().anyMatch(i -> i != 61), "tuned never adapted: " + s.fair.answers);
            assertTrue(s.fair.answers.stream().allMatch(i -> i >= 2 && i <= 127), s.fair.answers.toString());
        } else {
            assertEquals(Set.of(61), s.fair.answers);
        }
    }

    /** Counting wrappers: each decides as the policy it wraps. */
    private static final class Spies {
        final SpyingSteal steal;
        final SpyingSpin spin;
        final SpyingFair fair;
        long spins;

        Spies(StealPolicy steal, SpinPolicy spin, FairnessPolicy fair) {
            this.steal = new SpyingSteal(steal);
            this.spin = new SpyingSpin(spin);
            this.fair = new SpyingFair(fair);
        }
    }

    private static final class SpyingSteal implements StealPolicy {
        final StealPolicy delegate;
        final LongAdder firstVictims = new LongAdder();
        final LongAdder runnextQuestions = new LongAdder();
        final LongAdder otherStrides = new LongAdder();
        final LongAdder stealEvents = new LongAdder();
        final AtomicInteger lastThief = new AtomicInteger(-1);
        final AtomicInteger lastVictim = new AtomicInteger(-1);

        SpyingSteal(StealPolicy delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public int rounds() {
            return delegate.rounds();
        }

        @Override
        public int firstVictim(int thief, int nprocs, int random) {
            firstVictims.increment();
            return delegate.firstVictim(thief, nprocs, random);
        }

        @Override
        public int stride(int nprocs, int random) {
            int s = delegate.stride(nprocs, random);
            if (s != 1) {
                otherStrides.increment();
            }
            return s;
        }

        @Override
        public boolean mayStealRunnext(int round, int rounds) {
            runnextQuestions.increment();
            return delegate.mayStealRunnext(round, rounds);
        }

        @Override
        public long runnextBackoffNanos() {
            return delegate.runnextBackoffNanos();
        }

        @Override
        public long runnextMinAgeNanos() {
            return delegate.runnextMinAgeNanos();
        }

        @Override
        public synchronized void stolen(int thiefPid, int victimPid, int count) {
            stealEvents.increment();
            lastThief.set(thiefPid);
            lastVictim.set(victimPid);
            delegate.stolen(thiefPid, victimPid, count);
        }
    }

    private static final class SpyingSpin implements SpinPolicy {
        final SpinPolicy delegate;
        final LongAdder asked = new LongAdder();
        final LongAdder yes = new LongAdder();
        final LongAdder yesWhileOneSpinning = new LongAdder();

        SpyingSpin(SpinPolicy delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public boolean maySpin(int nmspinning, int gomaxprocs, int npidle) {
            asked.increment();
            boolean y = delegate.maySpin(nmspinning, gomaxprocs, npidle);
            if (y) {
                yes.increment();
                if (nmspinning >= 1) {
                    yesWhileOneSpinning.increment();
                }
            }
            return y;
        }

        @Override
        public long idleSpinNanos() {
            return delegate.idleSpinNanos();
        }
    }

    private static final class SpyingFair implements FairnessPolicy {
        final FairnessPolicy delegate;
        final LongAdder intervals = new LongAdder();
        final LongAdder budgets = new LongAdder();
        final Set<Integer> answers = ConcurrentHashMap.newKeySet();

        SpyingFair(FairnessPolicy delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public int globalQueueInterval() {
            intervals.increment();
            int i = delegate.globalQueueInterval();
            answers.add(i);
            return i;
        }

        @Override
        public boolean useRunnext() {
            return delegate.useRunnext();
        }

        @Override
        public boolean runnextInheritsTimeSlice() {
            return delegate.runnextInheritsTimeSlice();
        }

        @Override
        public long timeSliceNanos() {
            return delegate.timeSliceNanos();
        }

        @Override
        public int operationBudget() {
            budgets.increment();
            return delegate.operationBudget();
        }
    }
}
