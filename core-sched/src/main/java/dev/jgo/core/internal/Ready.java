package dev.jgo.core.internal;

import dev.jgo.spi.SchedEvents;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Making goroutines runnable (Go's {@code ready}, {@code runqput}, {@code globrunqput} and {@code
 * globrunqget}): the hand-off into a P's runnext or local queue, the global queue, and the unpark
 * of a pinned goroutine's carrier. Each method takes the runtime ({@link Sched}) first.
 */
final class Ready {

    private Ready() {}

    /**
     * Port of runtime.globrunqput. Concurrency: any thread (lock-free).
     */
    static void globrunqput(Sched sched, G gp) {
        sched.runq.offer(gp);
    }

    /**
     * Port of runtime.globrunqget: takes a batch from the global queue into {@code pp}'s local
     * queue and returns one goroutine to run ({@code max > 0} bounds the batch).
     *
     * <p>Concurrency: owner of {@code pp}.
     */
    static G globrunqget(Sched sched, P pp, int max) {
        int size = sched.runq.size();
        if (size == 0) {
            return null;
        }
        int n = size / sched.gomaxprocs + 1;
        if (n > size) {
            n = size;
        }
        if (max > 0 && n > max) {
            n = max;
        }
        if (n > pp.runq.capacity() / 2) {
            n = pp.runq.capacity() / 2;
        }
        G[] b = pp.globTake;
        int k = sched.runq.take(n, b); // the batch in one critical section, oldest first
        if (k == 0) {
            return null;
        }
        G gp = b[0];
        b[0] = null;
        SplittableRandom rnd = sched.randomize && k > 1 ? Seeded.shuffleSource(sched, pp) : null;
        for (int i = 1; i < k; i++) {
            pp.runq.runqput(b[i], false, 0, rnd);
            b[i] = null;
        }
        return gp;
    }

    /**
     * Port of runtime.ready/goready: makes a waiting goroutine runnable. From an M holding a P it
     * goes to that P's runnext; otherwise to the global queue. Then wakep. A G of another runtime
     * goes to its own runtime's global queue (see "Ownership").
     *
     * <p>Concurrency: any thread; {@code mp} the calling M of this runtime, or null.
     */
    static void ready(Sched sched, G gp, M mp) {
        Sched own = gp.sched;
        if (own != sched) {
            // Invariant: a G runs only on its own runtime's carriers ("Ownership", step 1).
            ready(own, gp, null);
            return;
        }
        if (readyQueued(sched, gp, mp)) {
            Ms.wakep(sched);
        }
    }

    /**
     * ready without the wakep: makes {@code gp} runnable and queues it, or unparks its pinned
     * carrier. Returns whether it was queued (so that an M may be wanted for it).
     *
     * <p>Concurrency: as {@link #ready}.
     */
    static boolean readyQueued(Sched sched, G gp, M mp) {
        assert gp.sched == sched && (mp == null || mp.sched == sched) : "ready of a foreign G (see \"Ownership\")";
        VThread vt = gp.vt;
        if (vt != null) { // a virtual thread in a jgo park: the JDK queues it (VCarrier "Parking a virtual thread")
            vt.readyJgo();
            return false;
        }
        // A pinned park (see M "Pinned goroutines", "Parking inside Go.blocking") wrote pinnedM
        // before its move to WAITING, so a goroutine this CAS can ready shows it here. Its carrier
        // waits, not a run queue; the status change and the npinned decrement are one step for
        // checkdead.
        M pinned = gp.pinnedM;
        if (pinned != null) {
            sched.lock.lock();
            try {
                if (gp.pinnedM != pinned) {
                    return false; // the park was withdrawn under this lock: its runtime closed
                }
                gp.casgstatus(G.WAITING, gp.parkedInSyscall ? G.SYSCALL : G.RUNNABLE);
                sched.npinned--;
            } finally {
                sched.lock.unlock();
            }
            LockSupport.unpark(pinned);
            return false;
        }
        gp.casgstatus(G.WAITING, G.RUNNABLE);
        P pp = mp != null ? mp.p : null;
        if (sched.events instanceof SchedEvents ev) {
            Emit.goUnpark(ev, gp.goid, pp != null ? pp.id : -1);
        }
        if (pp != null) {
            runqput(sched, pp, gp, sched.fairness.useRunnext(), mp);
        } else {
            globrunqput(sched, gp);
        }
        return true;
    }

    /** runqput with this runtime's options. Concurrency: owner of {@code pp}. */
    static void runqput(Sched sched, P pp, G gp, boolean next, M mp) {
        long since = next && sched.trackRunnextAge ? System.nanoTime() : 0;
        pp.runq.runqput(
                gp, next, since, sched.randomize ? (sched.seed != null ? Seeded.rand(sched, pp) : mp.rnd) : null);
    }
}
