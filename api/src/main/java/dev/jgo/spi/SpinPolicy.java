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

    /** Go's rule: spin only while {@code 2 * nmspinning < gomaxprocs - npidle}. */
    static SpinPolicy go() {
        return Go.INSTANCE;
    }

    /** Go's rule as a named singleton. */
    enum Go implements SpinPolicy {
        INSTANCE;

        @Override
        public boolean maySpin(int nmspinning, int gomaxprocs, int npidle) {
            return 2 * nmspinning < gomaxprocs - npidle;
        }
    }
}
