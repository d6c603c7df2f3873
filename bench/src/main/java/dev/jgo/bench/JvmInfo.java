package dev.jgo.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The JVM, flags, collector and heap a benchmark ran under, for the report header. */
public final class JvmInfo {
    private JvmInfo() {}

    /**
     * Lines describing the JVM: version, input arguments, collectors, heap, CPU count, and a note
     * when the Parallel collector marks cards unconditionally on more than one CPU.
     */
    public static List<String> describe() {
        RuntimeMXBean rt = ManagementFactory.getRuntimeMXBean();
        String flags = String.join(" ", rt.getInputArguments());
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", "));
        long maxHeap = Runtime.getRuntime().maxMemory();
        long initHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit();
        List<String> lines = new ArrayList<>(List.of(
                "jvm:    " + rt.getVmName() + " " + rt.getVmVersion() + " (" + rt.getVmVendor() + "), java "
                        + System.getProperty("java.version"),
                "flags:  " + (flags.isEmpty() ? "(none)" : flags),
                "gc:     " + gcs,
                "heap:   initial " + mib(initHeap) + ", max " + mib(maxHeap),
                "cpus:   " + Runtime.getRuntime().availableProcessors() + " available processors"));
        String note = cardMarkNote(
                gcs, vmOption("UseCondCardMark"), Runtime.getRuntime().availableProcessors());
        if (note != null) {
            lines.add(note);
        }
        return List.copyOf(lines);
    }

    /**
     * The note for a run on the Parallel collector (its collectors' names start with "PS ") with
     * {@code UseCondCardMark} off and more than one CPU, else null: every reference store then
     * dirties its card, the card table's lines bounce between cores, and figures with more than
     * one carrier come out slower for every peer (docs/benchmarks.md, "Continuations on two cores").
     */
    static String cardMarkNote(String gcs, String useCondCardMark, int cpus) {
        if (cpus < 2 || !gcs.startsWith("PS ") || !"false".equals(useCondCardMark)) {
            return null;
        }
        return "note:   the Parallel collector marks cards unconditionally (no -XX:+UseCondCardMark): "
                + "figures with more than one carrier are slower for every peer";
    }

    /** The value of a HotSpot VM option, or null if this JVM does not have it. */
    private static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption(name)
                    .getValue();
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "undefined" : (bytes >> 20) + " MiB";
    }
}
