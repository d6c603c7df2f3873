package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.sync.Chan;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** schedtrace and scheddetail in Go's format (runtime.schedtrace): every field of every line. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SchedtraceTest {
    private static final String HEADER =
            "SCHED \\d+ms: gomaxprocs=2 idleprocs=\\d+ threads=\\d+ spinningthreads=\\d+ idlethreads=\\d+ runqueue=\\d+";

    @Test
    void detailHasGosHeaderAndAPMAndGLineEach() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            Chan<Integer> c = Chan.make(0);
            Goroutine g = rt.go(() -> {
                c.recv();
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (g.state() != Goroutine.State.WAITING && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            try {
                assertTrue(
                        rt.view().schedtrace(false).matches(HEADER + " \\[\\d+ \\d+\\]\n"),
                        rt.view().schedtrace(false));
                String st = rt.view().schedtrace(true);
                List<String> lines = Arrays.asList(st.split("\n"));
                assertTrue(
                        lines.get(0)
                                .matches(
                                        HEADER
                                                + " gcwaiting=(true|false) nmidlelocked=\\d+ stopwait=\\d+ sysmonwait=(true|false)"),
                        lines.get(0));
                for (int p = 0; p < 2; p++) {
                    String prefix = "  P" + p + ": ";
                    assertEquals(
                            1, lines.stream().filter(l -> l.startsWith(prefix)).count(), st);
                    assertTrue(
                            lines.stream()
                                    .anyMatch(
                                            l -> l.matches(
                                                    prefix
                                                            + "status=\\d schedtick=\\d+ syscalltick=\\d+ m=-?\\d+ runqsize=\\d+ gfreecnt=\\d+ timerslen=\\d+")),
                            st);
                }
                assertTrue(
                        lines.stream()
                                .anyMatch(
                                        l -> l.matches(
                                                "  M\\d+: p=-?\\d+ curg=-?\\d+ mallocing=0 throwing=0 preemptoff= locks=0"
                                                        + " dying=0 spinning=(true|false) blocked=(true|false) lockedg=-?\\d+")),
                        st);
                assertTrue(lines.contains("  G" + g.id() + ": status=4(chan receive) m=-1 lockedm=-1"), st);
                assertTrue(lines.stream().allMatch(l -> l.startsWith("SCHED ") || l.matches("  [PMG]\\d+: .*")), st);
            } finally {
                rt.go(c::close);
            }
        }
    }
}
