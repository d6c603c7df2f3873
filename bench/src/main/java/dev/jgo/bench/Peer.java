package dev.jgo.bench;

import java.util.Locale;

/** What runs a workload: jgo goroutines, JDK virtual threads, ForkJoinPool tasks, or jox channels. */
public enum Peer {
    /** jgo goroutines on the runtime {@code GoRuntime.builder().build()} finds. */
    JGO("jgo"),
    /** JDK virtual threads on the JDK's default virtual-thread scheduler. */
    VT("vt"),
    /** ForkJoinPool tasks, for the task-shaped workloads only. */
    FJ("fj"),
    /** The jox channel library on JDK virtual threads, for the channel workloads only. */
    JOX("jox");

    private final String label;

    Peer(String label) {
        this.label = label;
    }

    /** The short name used on the command line and in tables. */
    public String label() {
        return label;
    }

    /** The peer named {@code s} (case-insensitive). */
    public static Peer parse(String s) {
        for (Peer p : values()) {
            if (p.label.equals(s.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new UsageException("unknown peer '" + s + "' (known: jgo, vt, fj, jox)");
    }
}
