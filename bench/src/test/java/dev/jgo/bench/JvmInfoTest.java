package dev.jgo.bench;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class JvmInfoTest {

    @Test
    void notesTheParallelCollectorsUnconditionalCardMarksOnSeveralCpus() {
        String ps = "PS MarkSweep, PS Scavenge";
        assertNotNull(JvmInfo.cardMarkNote(ps, "false", 2));
        assertNull(JvmInfo.cardMarkNote(ps, "true", 2), "UseCondCardMark on");
        assertNull(JvmInfo.cardMarkNote(ps, "false", 1), "one CPU: nothing to bounce between");
        assertNull(JvmInfo.cardMarkNote("G1 Young Generation, G1 Old Generation", "false", 2), "G1 checks first");
        assertNull(JvmInfo.cardMarkNote(ps, null, 2), "a JVM without the option");
    }

    @Test
    void describesTheJvmOfThisRun() {
        List<String> lines = JvmInfo.describe();
        assertTrue(lines.size() >= 5, lines.toString());
        assertTrue(lines.get(0).startsWith("jvm:    "), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("gc:     ")), lines.toString());
    }
}
