package dev.jgo.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.util.List;
import java.util.stream.Collectors;

/** The JVM, flags, collector and heap a benchmark ran under, for the report header. */
public final class JvmInfo {
    private JvmInfo() {}

    /** Lines describing the JVM: version, input arguments, collectors, heap, CPU count. */
    public static List<String> describe() {
        RuntimeMXBean rt = ManagementFactory.getRuntimeMXBean();
        String flags = String.join(" ", rt.getInputArguments());
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", "));
        long maxHeap = Runtime.getRuntime().maxMemory();
        long initHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit();
        return List.of(
                "jvm:    " + rt.getVmName() + " " + rt.getVmVersion() + " (" + rt.getVmVendor() + "), java "
                        + System.getProperty("java.version"),
                "flags:  " + (flags.isEmpty() ? "(none)" : flags),
                "gc:     " + gcs,
                "heap:   initial " + mib(initHeap) + ", max " + mib(maxHeap),
                "cpus:   " + Runtime.getRuntime().availableProcessors() + " available processors");
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "undefined" : (bytes >> 20) + " MiB";
    }
}
