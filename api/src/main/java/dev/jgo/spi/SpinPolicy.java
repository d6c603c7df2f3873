package dev.jgo.spi;

/**
 * Whether an M that found no local or global work may become a spinning M and steal (see the
 * core's "Worker thread parking/unparking" note). Must be thread-safe and cheap.
 */
public interface SpinPolicy {

    /** Short name for reports. */
    String name();

    /**
     * Called for an M that is not spinning yet.
     *
     * @param nmspinning Ms spinning now
     * @param gomaxprocs number of Ps
     * @param npidle idle Ps
     */
    boolean maySpin(int nmspinning, int gomaxprocs, int npidle);

    /**
     * How long a spinning M that found nothing to steal keeps polling the global run queue before
     * it gives up its P and parks; 0 parks at once, as Go does.
     */
    default long idleSpinNanos() {
        return 0;
    }

    /**
     * Go's rule: spin only while {@code 2 * nmspinning < gomaxprocs - npidle}; plus, unlike Go, a
     * spinning M polls the global queue for up to 50 µs before parking. A JVM carrier's park and
     * unpark round trip costs several microseconds, so a stream of goroutines started from outside
     * the runtime (each to the global queue, each with a {@code wakep}) would otherwise wake and
     * park an M for almost every goroutine.
     */
    static SpinPolicy go() {
        return Go.INSTANCE;
    }

    /** Go's rule exactly: no idle polling. */
    static SpinPolicy goStrict() {
        return Go.STRICT;
    }

    /**
     * At most one spinning M at a time (Go's rule also applies below that), with {@link #go()}'s
     * idle poll. Note that {@code wakep} starts an M spinning without asking the policy (Go's
     * "at most one wakep'd spinner" rule), so this limits Ms that decide to spin by themselves.
     */
    static SpinPolicy atMostOne() {
        return SpinPolicies.ONE;
    }

    /**
     * No M decides to spin: an M that finds no local or global work parks at once without
     * stealing. An M started by {@code wakep} still comes up spinning and steals once (that start
     * does not consult the policy), so stealing does not stop altogether. The {@code spins}
     * counter stays near 0 but not always at 0: such an M that parks and finds work on its last
     * re-check is marked spinning again without asking the policy.
     */
    static SpinPolicy none() {
        return SpinPolicies.NONE;
    }

    /**
     * Go's rule, with and without the idle poll. (A record, not an enum: an enum's {@code name()}
     * is final and would report the constant's name.)
     */
    record Go(String name, long idleSpinNanos) implements SpinPolicy {
        static final Go INSTANCE = new Go("go", 50_000);
        static final Go STRICT = new Go("go-strict", 0);

        @Override
        public boolean maySpin(int nmspinning, int gomaxprocs, int npidle) {
            return 2 * nmspinning < gomaxprocs - npidle;
        }
    }
}
