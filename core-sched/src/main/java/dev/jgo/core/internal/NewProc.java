package dev.jgo.core.internal;

import dev.jgo.spi.SchedEvents;
import java.util.concurrent.CompletableFuture;

/**
 * Goroutine creation and reuse (Go's {@code newproc1}, {@code gfput}, {@code gfget} and {@code
 * gfpurge}): a new G from an M or from outside the runtime, and the per-P and global free lists of
 * dead Gs. Each method takes the runtime ({@link Sched}) first.
 */
final class NewProc {

    private NewProc() {}

    /**
     * Port of runtime.newproc1: makes a runnable goroutine for {@code fn}, taking a G from
     * {@code pp}'s free list when possible.
     *
     * <p>Concurrency: owner of {@code pp}, or any thread with {@code pp == null}.
     */
    static G newproc1(Sched sched, Runnable fn, P pp, long parentGoid, CompletableFuture<Object> main) {
        G newg = pp != null ? gfget(sched, pp) : gfgetGlobal(sched);
        if (newg == null) {
            newg = new G(sched);
            newg.casgstatus(G.IDLE, G.DEAD);
            sched.allgs.add(newg);
        }
        newg.fn = fn;
        newg.panic = null;
        newg.result = null;
        newg.labels = null; // go() sets the creator's labels before queueing
        G g = newg;
        if (newg.contBody == null) {
            newg.contBody = () -> Sched.body(g);
        }
        newg.cont = new G.GCont(newg.contBody);
        if (pp != null) {
            if (pp.goidcache == pp.goidcacheend) {
                // Sched.goidgen is the last allocated id, this batch must be [goidgen+1,
                // goidgen+GOID_BATCH]. At startup sched.goidgen=0, so main goroutine receives
                // goid=1.
                pp.goidcache = sched.goidgen.getAndAdd(P.GOID_BATCH) + 1;
                pp.goidcacheend = pp.goidcache + P.GOID_BATCH;
            }
            newg.goid = pp.goidcache++;
            pp.goroutinesCreated++;
        } else {
            newg.goid = sched.goidgen.incrementAndGet();
            sched.externalCreated.incrementAndGet();
        }
        newg.main = main;
        newg.casgstatus(G.DEAD, G.RUNNABLE);
        if (sched.events instanceof SchedEvents ev) {
            Emit.goCreate(ev, newg.goid, parentGoid, pp != null ? pp.id : -1);
        }
        return newg;
    }

    /**
     * Starts a goroutine from a thread that is not a goroutine: to the global run queue, then
     * wake an M. Returns the user's handle on it.
     *
     * <p>Concurrency: any thread.
     */
    static GoHandle newprocExternal(Sched sched, Runnable fn, CompletableFuture<Object> main) {
        G newg = newproc1(sched, fn, null, 0, main);
        GoHandle h = new GoHandle(newg); // before the queue: once queued, the G may end and be reused
        Ready.globrunqput(sched, newg);
        Ms.wakep(sched);
        if (main != null) {
            // Registered only once the goroutine is queued: an M going idle in between must not
            // see a pending run with nothing runnable (a false deadlock). The main goroutine may
            // already have run and parked for good, with every M idle and nobody left to call
            // checkdead, so check once here.
            sched.mains.add(main);
            // Invariant: a run registered after a panic ended the runtime fails with it. die
            // writes fatal (volatile) before it reads mains; we add to mains before reading
            // fatal: one of the two sees the other (MainRegistrationRaceTest).
            Throwable f = sched.fatal;
            if (f != null && sched.mains.remove(main)) {
                main.completeExceptionally(f);
            }
            // Invariant: mains holds only runs still waiting. The main goroutine may have ended
            // before the add; goexit0 completes the future before it removes it, so either its
            // remove follows our add or we see the future done here (a stale entry made
            // checkdead see a pending run: under virtual time the clock jumped with no main).
            if (main.isDone()) {
                sched.mains.remove(main);
            }
            sched.lock.lock();
            try {
                Fatal.checkdead(sched);
            } finally {
                sched.lock.unlock();
            }
        }
        return h;
    }

    /**
     * Port of runtime.gfput: puts a dead G on {@code pp}'s free list; at {@link P#GFREE_MAX}
     * moves a batch of {@link P#GFREE_KEEP} to the global free list.
     *
     * <p>Go's global free list is a lock-protected list. jgo's is a lock-free queue of whole
     * batches (chains linked through {@code schedlink}, the length in the head's {@code
     * freeBatchLen}), so a P that only spawns and a P that only retires goroutines hand Gs to each
     * other with one queue operation per batch and never block on a lock.
     *
     * <p>Concurrency: owner of {@code pp}.
     */
    static void gfput(Sched sched, P pp, G gp) {
        gp.schedlink = pp.gFree;
        pp.gFree = gp;
        pp.gFreeCount++;
        if (pp.gFreeCount >= P.GFREE_MAX) {
            G head = pp.gFree;
            G tail = head;
            for (int i = 1; i < P.GFREE_KEEP; i++) {
                tail = tail.schedlink;
            }
            pp.gFree = tail.schedlink;
            pp.gFreeCount -= P.GFREE_KEEP;
            tail.schedlink = null;
            head.freeBatchLen = P.GFREE_KEEP;
            sched.gFree.offer(head); // publishes the chain's links to the poller
        }
    }

    /**
     * Port of runtime.gfget: a G from {@code pp}'s free list, refilled with a batch from the
     * global one when empty.
     *
     * <p>Concurrency: owner of {@code pp}.
     */
    static G gfget(Sched sched, P pp) {
        if (pp.gFree == null) {
            G batch = sched.gFree.poll();
            if (batch == null) {
                return null;
            }
            pp.gFree = batch;
            pp.gFreeCount = batch.freeBatchLen;
        }
        G gp = pp.gFree;
        pp.gFree = gp.schedlink;
        gp.schedlink = null;
        pp.gFreeCount--;
        return gp;
    }

    /**
     * procresize: moves {@code pp}'s free Gs to the global list as one batch.
     *
     * <p>Concurrency: the world stopped.
     */
    static void gfpurge(Sched sched, P pp) {
        G head = pp.gFree;
        if (head == null) {
            return;
        }
        head.freeBatchLen = pp.gFreeCount;
        pp.gFree = null;
        pp.gFreeCount = 0;
        sched.gFree.offer(head);
    }

    /** A G for a goroutine started outside any P: from the cached batch, else a new batch. */
    static G gfgetGlobal(Sched sched) {
        G batch = sched.gFreeExternal.getAndSet(null);
        if (batch == null) {
            batch = sched.gFree.poll();
            if (batch == null) {
                return null;
            }
        }
        G rest = batch.schedlink;
        if (rest != null) {
            rest.freeBatchLen = batch.freeBatchLen - 1;
            if (!sched.gFreeExternal.compareAndSet(null, rest)) {
                sched.gFree.offer(rest); // another outside spawner cached one meanwhile
            }
        }
        batch.schedlink = null;
        return batch;
    }
}
