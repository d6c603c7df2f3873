package dev.jgo.spi;

/**
 * How an M out of work steals from other Ps: the order of victims, how many rounds over all Ps,
 * and when a victim's {@code runnext} goroutine may be taken.
 *
 * <p>Victim order: for round {@code r} the thief visits {@code (first + i * stride) mod nprocs}
 * for {@code i = 0 .. nprocs-1}, with {@code first} and {@code stride} from this policy; the
 * stride must be coprime with {@code nprocs} so every P is visited once.
 *
 * <p>Implementations must be thread-safe, allocation-free and cheap: they are called on the
 * scheduler's stealing path.
 */
public interface StealPolicy {

    /** Short name for reports ({@code go}, {@code tokio}, {@code kotlin}). */
    String name();

    /** Rounds over all Ps before giving up (Go: 4). */
    int rounds();

    /** First victim for a steal attempt, in {@code [0, nprocs)}. */
    int firstVictim(int thief, int nprocs, int random);

    /** Stride between victims, coprime with {@code nprocs}. */
    int stride(int nprocs, int random);

    /** Whether a victim's {@code runnext} may be stolen in round {@code round} (0-based). */
    boolean mayStealRunnext(int round, int rounds);

    /**
     * How long to back off before stealing {@code runnext} from a running P, giving its owner the
     * chance to schedule it (Go: 3 µs; 0 = no back-off).
     */
    long runnextBackoffNanos();

    /**
     * Minimum age of a {@code runnext} goroutine before it may be stolen (kotlinx: 100 µs); 0
     * turns ages off, so the scheduler records no timestamps.
     */
    long runnextMinAgeNanos();

    /**
     * Told after each successful steal, by the thief's M, so that a policy can learn (the
     * sticky-victim order does). Must be cheap and must not block. Default: nothing.
     */
    default void stolen(int thief, int victim, int count) {}

    /** Go's policy: random start, coprime stride, 4 rounds, {@code runnext} in the last round after 3 µs. */
    static StealPolicy go() {
        return StealPolicies.GO;
    }

    /** Tokio's: like Go's order, but {@code runnext} (Tokio's LIFO slot) is never stolen. */
    static StealPolicy tokio() {
        return StealPolicies.TOKIO;
    }

    /** kotlinx.coroutines': {@code runnext} stolen in any round once older than 100 µs. */
    static StealPolicy kotlin() {
        return StealPolicies.KOTLIN;
    }

    /**
     * Random start, then linear order (stride 1) instead of a random coprime stride; rounds and
     * {@code runnext} as Go's. Neighbouring Ps are always tried in the same relative order.
     */
    static StealPolicy linear() {
        return StealPolicies.LINEAR;
    }

    /**
     * Sticky last victim: each thief starts at the P it last stole from successfully; rounds, stride
     * and {@code runnext} as Go's. A new instance each call (it holds per-thief state). It learns
     * successful steals from {@link #stolen}.
     */
    static StealPolicy sticky() {
        return new StickyStealPolicy();
    }
}
