package dev.jgo.sync;

/** Test helper: a Mutex seen as a Locker. */
final class Lockers {
    private Lockers() {}

    static Locker of(Mutex m) {
        return new Locker() {
            @Override
            public void lock() {
                m.lock();
            }

            @Override
            public void unlock() {
                m.unlock();
            }
        };
    }
}
