package dev.jgo.spi;

import java.util.List;

/**
 * The policies that ship with jgo, by name: what command lines and configuration files use
 * ({@code jgo compare --policies steal=go,linear}). Each lookup returns a policy ready to install;
 * a stateful one ({@code steal=sticky}) is a new instance per call.
 *
 * <table>
 *   <caption>Names</caption>
 *   <tr><th>kind</th><th>name</th><th>policy</th></tr>
 *   <tr><td>steal</td><td>go</td><td>random start, random coprime stride, 4 rounds; {@code runnext} in the last round after 3 µs</td></tr>
 *   <tr><td>steal</td><td>linear</td><td>random start, stride 1; {@code runnext} as go</td></tr>
 *   <tr><td>steal</td><td>sticky</td><td>start at the thief's last successful victim (see {@link StealPolicy#sticky()}); else as go</td></tr>
 *   <tr><td>steal</td><td>tokio</td><td>order as go; {@code runnext} never stolen</td></tr>
 *   <tr><td>steal</td><td>kotlin</td><td>order as go; {@code runnext} stolen in any round once older than 100 µs</td></tr>
 *   <tr><td>spin</td><td>go</td><td>Go's rule {@code 2*nmspinning < busy Ps}, 50 µs idle poll</td></tr>
 *   <tr><td>spin</td><td>go-strict</td><td>Go's rule, no idle poll</td></tr>
 *   <tr><td>spin</td><td>one</td><td>at most one spinning M</td></tr>
 *   <tr><td>spin</td><td>none</td><td>no M decides to spin (see {@link SpinPolicy#none()})</td></tr>
 *   <tr><td>fair</td><td>go</td><td>global queue every 61 schedticks, operation budget 128</td></tr>
 *   <tr><td>fair</td><td>nobudget</td><td>as go with the operation budget off</td></tr>
 *   <tr><td>fair</td><td>tuned</td><td>as go, global-queue interval self-tuned toward a check every 200 µs (see {@link FairnessPolicy#selfTuned()})</td></tr>
 *   <tr><td>fair</td><td>local-yield</td><td>as go, a yielding goroutine waits at its own P's queue tail (see {@link FairnessPolicy#localYield()})</td></tr>
 * </table>
 */
public final class Policies {
    private Policies() {}

    /** The names {@link #steal} accepts. */
    public static final List<String> STEAL = List.of("go", "linear", "sticky", "tokio", "kotlin");

    /** The names {@link #spin} accepts. */
    public static final List<String> SPIN = List.of("go", "go-strict", "one", "none");

    /** The names {@link #fairness} accepts. */
    public static final List<String> FAIR = List.of("go", "nobudget", "tuned", "local-yield");

    /**
     * The steal policy called {@code name}.
     *
     * @throws IllegalArgumentException naming the known names, if {@code name} is not one
     */
    public static StealPolicy steal(String name) {
        return switch (name) {
            case "go" -> StealPolicy.go();
            case "linear" -> StealPolicy.linear();
            case "sticky" -> StealPolicy.sticky();
            case "tokio" -> StealPolicy.tokio();
            case "kotlin" -> StealPolicy.kotlin();
            default -> throw unknown("steal", name, STEAL);
        };
    }

    /**
     * The spin policy called {@code name}.
     *
     * @throws IllegalArgumentException naming the known names, if {@code name} is not one
     */
    public static SpinPolicy spin(String name) {
        return switch (name) {
            case "go" -> SpinPolicy.go();
            case "go-strict" -> SpinPolicy.goStrict();
            case "one" -> SpinPolicy.atMostOne();
            case "none" -> SpinPolicy.none();
            default -> throw unknown("spin", name, SPIN);
        };
    }

    /**
     * The fairness policy called {@code name}.
     *
     * @throws IllegalArgumentException naming the known names, if {@code name} is not one
     */
    public static FairnessPolicy fairness(String name) {
        return switch (name) {
            case "go" -> FairnessPolicy.go();
            case "nobudget" -> FairnessPolicy.of("nobudget", 61, true, true, 10_000_000L, 0);
            case "tuned" -> FairnessPolicy.selfTuned();
            case "local-yield" -> FairnessPolicy.localYield();
            default -> throw unknown("fair", name, FAIR);
        };
    }

    private static IllegalArgumentException unknown(String kind, String name, List<String> known) {
        return new IllegalArgumentException(
                "unknown " + kind + " policy '" + name + "' (known: " + String.join(", ", known) + ")");
    }
}
