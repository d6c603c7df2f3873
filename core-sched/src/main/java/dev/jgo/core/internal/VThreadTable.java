package dev.jgo.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A runtime's live virtual threads by the thread the JDK's submitted task continues (see {@link
 * VirtualThreads}).
 *
 * <h2>Design note: Finding a submitted thread</h2>
 *
 * Problem: each time a virtual thread becomes runnable the JDK calls the scheduler's {@code
 * execute} with the thread's own task ({@code VirtualThread.runContinuation}, a lambda bound to the
 * thread), and nothing else. On JDK 25 neither that task nor the {@code Thread} has a field for the
 * scheduler's use, so every submission but the first must find the thread's {@link VThread} from
 * the thread the task is bound to: a table on the path of every start, wake-up and exit.
 *
 * <p>Rejected: {@code ConcurrentHashMap} (measured with JFR on vt-skynet: a fifth to a quarter
 * of the run, in a node allocated per thread, a size counter updated by every put and remove from every
 * P, and the resizes of a table as large as the number of live threads); the thread's own thread
 * locals (only the thread may touch its map: a submitter would race with it); a per-thread
 * scheduler object (the JDK's builder takes one executor for all the threads it makes); replacing
 * the JDK's private final {@code runContinuation} with a wrapper that holds the {@code VThread}
 * (unsupported, and the JIT may fold final fields of {@code java.lang}); the task's identity hash
 * as the key (its first use per object is a call into the VM, on every start); the ids themselves
 * as slots, so that threads made one after the other sit side by side (a thread of an earlier lap
 * of the array that still lives displaces every later one whose slot it holds, and those displace
 * the next: clusters as long as the burst; no faster on vt-skynet in a JFR profile).
 *
 * <p>Chosen: open addressing keyed by the thread's id (read from the task), without allocation
 * or shared counters, split into {@link #STRIPES} stripes by the id's low bits (the JDK numbers
 * threads in the order they are made, so a burst spreads over all of them), each its own array and
 * monitor. A thread's first submission does not look here at all ({@code
 * VirtualThreads.firstSubmission}). Measured with JFR on vt-skynet at procs=2, 60 runs a
 * profile: the table's share of the samples fell from 21 to 27 % (the map) to 13 to 19 %, most
 * of it the put's first touch of a random slot.
 *
 * <ol>
 *   <li>A thread's home slot is a mix of its id ({@link #home}): random slots, so linear probing
 *       at most half full needs a couple of probes whatever order threads come and go in.
 *   <li>{@link #put} and {@link #remove} hold the stripe's monitor. A slot goes from empty to a
 *       thread, from a thread to {@link #REMOVED}, and from {@code REMOVED} to a thread; never back
 *       to empty in place, so a lock-free probe that passes a slot never needs what it held. A put
 *       that would fill more than half the slots (removed ones included) rehashes into a new
 *       array at most a quarter full, published with a release store: longer if the live threads
 *       need it, else as long (dropping the removed). Arrays never shrink, as Go's {@code allgs}
 *       never does: after a burst they keep at most 16 bytes per thread of its peak, and the next
 *       burst does not pay the growth again.
 *   <li>{@link #get} takes no lock: it reads the stripe's array (acquire) and probes from the
 *       thread's home to the thread or an empty slot. Every array has an empty slot, so it ends.
 *   <li>A get finds every thread whose put happened before it: the put wrote the array that was
 *       current, and every rehash after it copies it. Every submission but a thread's first comes
 *       after its put (the put precedes the G's first queueing), so only a first submission misses.
 *       A get may still find a thread whose remove races with it: that thread is DONE, which
 *       {@code execute} drops.
 * </ol>
 *
 * <p>Concurrency: {@link #get} any thread, lock-free; {@link #put} and {@link #remove} any thread,
 * under the stripe's monitor.
 */
final class VThreadTable {
    static final int STRIPE_BITS = 4;
    static final int STRIPES = 1 << STRIPE_BITS;
    /** Slots of a stripe's smallest array (a power of two). */
    static final int MIN_CAPACITY = 16;
    /** What a removed thread's slot holds until a put reuses it or a rehash drops it. */
    private static final Object REMOVED = new Object();

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    /** One stripe: its array (release/acquire) and counts (under its monitor). */
    private static final class Stripe {
        /** Written under the monitor, read lock-free (volatile: release on publish, acquire in get). */
        volatile Object[] slots = new Object[MIN_CAPACITY];
        /** Live threads; under the monitor. */
        int size;
        /** Slots not empty (live plus REMOVED); under the monitor. */
        int used;
    }

    private final Stripe[] stripes = new Stripe[STRIPES];

    VThreadTable() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** The stripe of the thread numbered {@code tid}. */
    private Stripe stripe(long tid) {
        return stripes[(int) tid & (STRIPES - 1)];
    }

    /** The home slot of the thread numbered {@code tid} in an array of {@code length} slots (step 1). */
    static int home(long tid, int length) {
        long x = tid >>> STRIPE_BITS; // MurmurHash3's fmix64: every bit of the id moves every bit
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return (int) (x ^ (x >>> 33)) & (length - 1);
    }

    /** The smallest power-of-two capacity at least {@code 4 * live} and {@link #MIN_CAPACITY}. */
    static int capacityFor(int live) {
        int want = Math.max(MIN_CAPACITY, 4 * live);
        return Integer.highestOneBit(want - 1) << 1;
    }

    /**
     * The entry of virtual thread {@code t}, or null if none is in the table (see "Finding a
     * submitted thread", step 2-3).
     *
     * <p>Concurrency: any thread, lock-free.
     */
    VThread get(Thread t) {
        long tid = t.threadId();
        Object[] s = stripe(tid).slots; // acquire: pairs with the release in put and rehash
        int mask = s.length - 1;
        for (int i = home(tid, s.length); ; i = (i + 1) & mask) {
            Object o = SLOT.getAcquire(s, i); // acquire: pairs with put's setRelease (v's fields)
            if (o == null) {
                return null;
            }
            if (o instanceof VThread v && v.thread == t) {
                return v;
            }
        }
    }

    /**
     * Adds {@code v}, keyed by its thread. Precondition: its thread is not in the table.
     *
     * <p>Concurrency: any thread; takes the stripe's monitor.
     */
    void put(VThread v) {
        long tid = v.tid;
        Stripe st = stripe(tid);
        synchronized (st) {
            Object[] s = st.slots;
            if (2 * (st.used + 1) > s.length) {
                s = rehash(st, st.size + 1);
            }
            int mask = s.length - 1;
            int i = home(tid, s.length);
            for (; ; i = (i + 1) & mask) {
                Object o = s[i]; // plain: every writer holds the monitor
                if (o == null) {
                    st.used++;
                    break;
                }
                if (o == REMOVED) {
                    break;
                }
                assert ((VThread) o).thread != v.thread : "put: " + v + " is in the table";
            }
            st.size++;
            SLOT.setRelease(s, i, v); // release: publishes v's fields to get's getAcquire
        }
    }

    /**
     * Removes {@code v}. Precondition: it is in the table.
     *
     * <p>Concurrency: any thread; takes the stripe's monitor.
     */
    void remove(VThread v) {
        long tid = v.tid;
        Stripe st = stripe(tid);
        synchronized (st) {
            Object[] s = st.slots;
            int mask = s.length - 1;
            int i = home(tid, s.length);
            while (s[i] != v) { // plain: every writer holds the monitor
                assert s[i] != null : "remove: " + v + " is not in the table";
                i = (i + 1) & mask;
            }
            SLOT.setRelease(s, i, REMOVED); // release: a racing get sees v or REMOVED, both fine
            st.size--;
        }
    }

    /** Live threads, summed over the stripes. Concurrency: any thread; takes each monitor in turn. */
    int size() {
        int n = 0;
        for (Stripe st : stripes) {
            synchronized (st) {
                n += st.size;
            }
        }
        return n;
    }

    /** Slots of every stripe's array, for tests of the rehash. Concurrency: any thread. */
    int capacity() {
        int n = 0;
        for (Stripe st : stripes) {
            n += st.slots.length; // volatile read
        }
        return n;
    }

    /**
     * Copies the live threads of {@code st} into a new array, at most a quarter full with {@code
     * live} of them and never shorter than the old one, and publishes it; returns it.
     *
     * <p>Concurrency: requires the stripe's monitor.
     */
    private static Object[] rehash(Stripe st, int live) {
        assert Thread.holdsLock(st) : "rehash without the stripe's monitor";
        Object[] old = st.slots;
        Object[] s = new Object[Math.max(old.length, capacityFor(live))];
        int mask = s.length - 1;
        int n = 0;
        for (Object o : old) {
            if (o instanceof VThread v) {
                int i = home(v.tid, s.length);
                while (s[i] != null) {
                    i = (i + 1) & mask;
                }
                s[i] = v;
                n++;
            }
        }
        assert n == st.size : "rehash: " + n + " live slots, size " + st.size;
        st.used = n;
        st.slots = s; // volatile write (release): the copies above are visible to get's acquire
        return s;
    }
}
