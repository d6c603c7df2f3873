package dev.jgo.bench;

import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A one-shot completion cell: {@code parties} calls of {@link #arrive(long)} add their values to
 * a sum, and one waiter blocked in {@link #await()} resumes after the last one. It is Go's
 * {@code sync.WaitGroup} plus a result, the signalling the workloads need before {@code
 * dev.jgo.sync} lands.
 *
 * <p>The waiter may be a goroutine (it parks through {@link Carrier#park}, giving up its carrier)
 * or any other thread, a virtual thread included (it parks with {@link LockSupport}), so the
 * jgo and virtual-thread versions of a workload run the same algorithm on each peer's own park
 * primitive.
 *
 * <h2>Waking protocol</h2>
 *
 * <ol>
 *   <li>{@link #arrive} adds to {@code sum} (volatile add), then decrements {@code pending}
 *       (volatile add). The arrival that takes it to zero swaps {@code waiter} to {@code DONE}
 *       and wakes whatever it replaced.
 *   <li>A goroutine waiter parks; once it is off its carrier the park's unlock function CASes
 *       {@code waiter} from null to the goroutine. If the CAS fails, the last arrival already
 *       installed {@code DONE}, so it returns false and the goroutine resumes at once. If it
 *       succeeds, the last arrival's swap will see the goroutine and ready it; the goroutine is
 *       already waiting at that point (the unlock function runs after the status change), so the
 *       ready is legal.
 *   <li>A thread waiter CASes itself in, then parks until it reads {@code DONE} (spurious
 *       wake-ups of {@link LockSupport#park} loop).
 * </ol>
 *
 * <p>At most one waiter. Concurrency: {@link #arrive} any thread; {@link #await} one thread or
 * goroutine.
 */
public final class Join {
    private static final Object DONE = new Object();
    private static final VarHandle PENDING;
    private static final VarHandle SUM;
    private static final VarHandle WAITER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PENDING = l.findVarHandle(Join.class, "pending", int.class);
            SUM = l.findVarHandle(Join.class, "sum", long.class);
            WAITER = l.findVarHandle(Join.class, "waiter", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The park unlock function of step 2: publishes the parked goroutine unless already done. */
    private static final Carrier.ParkUnlock PUBLISH_WAITER = (g, lock) -> WAITER.compareAndSet(lock, null, g);

    private int pending;
    private long sum;
    /** null, the waiting goroutine or thread, or {@code DONE}. */
    private Object waiter;
    /** The goroutine waiter's scheduler, for an arrival from outside the runtime. */
    private Scheduler sched;

    /** A cell that completes after {@code parties} arrivals (at once when 0). */
    public Join(int parties) {
        if (parties < 0) {
            throw new IllegalArgumentException("parties must be >= 0, got " + parties);
        }
        this.pending = parties;
        this.waiter = parties == 0 ? DONE : null;
        VarHandle.releaseFence(); // publish the initial state to arrivals on other carriers
    }

    /** Adds {@code value} to the sum and counts one arrival; the last one wakes the waiter. */
    public void arrive(long value) {
        SUM.getAndAdd(this, value); // volatile: ordered before the pending decrement below
        int before = (int) PENDING.getAndAdd(this, -1); // volatile: pairs with the waiter's read of DONE
        if (before == 1) {
            wake();
        } else if (before <= 0) {
            throw new IllegalStateException("more arrivals than parties");
        }
    }

    private void wake() {
        Object w = WAITER.getAndSet(this, DONE); // volatile: step 1 against the CAS of step 2/3
        if (w instanceof Goroutine g) {
            Carrier c = Carrier.currentOrNull();
            if (c != null) {
                c.ready(g);
            } else {
                sched.ready(g); // written before the CAS that published g
            }
        } else if (w instanceof Thread t) {
            LockSupport.unpark(t);
        }
    }

    /** Blocks until every party has arrived and returns the sum of their values. */
    public long await() {
        Carrier c = Carrier.currentOrNull();
        if (c != null) {
            if (WAITER.getAcquire(this) != DONE) { // acquire: pairs with the swap in wake
                sched = c.scheduler(); // plain; published by the CAS in PUBLISH_WAITER
                c.park(WaitReason.PARKED, this, PUBLISH_WAITER);
            }
        } else {
            Thread t = Thread.currentThread();
            if (WAITER.compareAndSet(this, null, t)) {
                while (WAITER.getAcquire(this) != DONE) { // acquire: pairs with the swap in wake
                    LockSupport.park(this);
                }
            } else if (WAITER.getAcquire(this) != DONE) {
                throw new IllegalStateException("Join already has a waiter");
            }
        }
        return (long) SUM.getVolatile(this);
    }

    /** Whether every party has arrived. */
    public boolean isDone() {
        return (int) PENDING.getVolatile(this) == 0;
    }
}
