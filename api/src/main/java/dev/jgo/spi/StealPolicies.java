package dev.jgo.spi;

/** The steal policies that ship with jgo; reached through {@link StealPolicy}'s factories. */
final class StealPolicies {
    private StealPolicies() {}

    static final StealPolicy GO = new Base("go", 4, true, 3_000, 0, false);
    static final StealPolicy TOKIO = new Base("tokio", 4, false, 0, 0, false);
    static final StealPolicy KOTLIN = new Base("kotlin", 4, false, 0, 100_000, false);
    static final StealPolicy LINEAR = new Base("linear", 4, true, 3_000, 0, true);

    /** Greatest common divisor, for the coprime strides. */
    static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /**
     * Port of runtime.randomOrder: the strides coprime with {@code n}, cached for the last
     * {@code n} seen (an immutable array published through a volatile field).
     */
    static final class Coprimes {
        private volatile int[] cache = {1, 1};

        int pick(int n, int random) {
            int[] c = cache; // volatile read: the array is immutable once published
            if (c[0] != n) {
                int count = 0;
                int[] tmp = new int[n + 1];
                tmp[0] = n;
                for (int i = 1; i <= n; i++) {
                    if (gcd(i, n) == 1) {
                        tmp[++count] = i;
                    }
                }
                c = java.util.Arrays.copyOf(tmp, count + 1);
                cache = c; // volatile write: publishes the filled array
            }
            return c[1 + Integer.remainderUnsigned(random, c.length - 1)];
        }
    }

    private static final class Base implements StealPolicy {
        private final String name;
        private final int rounds;
        private final boolean lastRoundOnly;
        private final long backoff;
        private final long minAge;
        private final boolean linear;
        private final Coprimes coprimes = new Coprimes();

        Base(String name, int rounds, boolean lastRoundOnly, long backoff, long minAge, boolean linear) {
            this.name = name;
            this.rounds = rounds;
            this.lastRoundOnly = lastRoundOnly;
            this.backoff = backoff;
            this.minAge = minAge;
            this.linear = linear;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int rounds() {
            return rounds;
        }

        @Override
        public int firstVictim(int thief, int nprocs, int random) {
            return Integer.remainderUnsigned(random, nprocs);
        }

        @Override
        public int stride(int nprocs, int random) {
            if (linear) {
                return 1;
            }
            return coprimes.pick(nprocs, random >>> 8);
        }

        @Override
        public boolean mayStealRunnext(int round, int rounds) {
            if (lastRoundOnly) {
                return round == rounds - 1;
            }
            return minAge > 0; // kotlin: every round, gated by age; tokio: never
        }

        @Override
        public long runnextBackoffNanos() {
            return backoff;
        }

        @Override
        public long runnextMinAgeNanos() {
            return minAge;
        }

        @Override
        public String toString() {
            return "StealPolicy[" + name + "]";
        }
    }
}
