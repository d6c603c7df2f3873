package dev.jgo.spi;

/** The spinning limits other than Go's rule; reached through {@link SpinPolicy}'s factories. */
final class SpinPolicies {
    private SpinPolicies() {}

    static final SpinPolicy ONE = new Limited("one", 1);
    static final SpinPolicy NONE = new Limited("none", 0);

    /** Go's rule, further capped at {@code max} spinning Ms; {@link SpinPolicy#go()}'s idle poll when spinning at all. */
    private record Limited(String name, int max) implements SpinPolicy {
        @Override
        public boolean maySpin(int nmspinning, int gomaxprocs, int npidle) {
            return nmspinning < max && 2 * nmspinning < gomaxprocs - npidle;
        }

        @Override
        public long idleSpinNanos() {
            return max == 0 ? 0 : SpinPolicy.go().idleSpinNanos();
        }
    }
}
