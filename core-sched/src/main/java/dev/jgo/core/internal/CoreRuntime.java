package dev.jgo.core.internal;

import dev.jgo.GoRuntime;
import dev.jgo.Goroutine;
import dev.jgo.GoroutineException;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.EventsControl;
import dev.jgo.spi.FairnessPolicy;
import dev.jgo.spi.PolicyControl;
import dev.jgo.spi.RuntimeConfig;
import dev.jgo.spi.RuntimeRegistry;
import dev.jgo.spi.RuntimeView;
import dev.jgo.spi.SafepointCoordinator;
import dev.jgo.spi.SchedEvents;
import dev.jgo.spi.Scheduler;
import dev.jgo.spi.SpinPolicy;
import dev.jgo.spi.StealPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The core's {@link GoRuntime}: owns a {@link Sched}, starts main goroutines and shuts the Ms
 * down.
 */
public final class CoreRuntime implements GoRuntime, Scheduler, PolicyControl, EventsControl {
    /** How long close() lets Ms finish the goroutine they run before interrupting them. */
    private static final long CLOSE_GRACE_MILLIS = 2_000;

    private static final long CLOSE_JOIN_MILLIS = 10_000;

    private final Sched sched;
    private final View view;
    private final EventsMux eventsMux;
    private volatile boolean closed;

    CoreRuntime(RuntimeConfig cfg) {
        this(cfg, RunQueue.DEFAULT_CAPACITY);
    }

    CoreRuntime(RuntimeConfig cfg, int runqCapacity) {
        JvmFlags.requireContinuationAccess(); // fail with the flag's name, not an IllegalAccessError later
        this.sched = new Sched(this, cfg, runqCapacity);
        // See PolicyGuard's note "Policies that fail": policies from outside jgo run guarded.
        sched.setStealPolicy(PolicyGuard.guard(cfg.stealPolicy()));
        sched.spinPolicy = PolicyGuard.guard(cfg.spinPolicy());
        sched.fairness = PolicyGuard.guard(cfg.fairnessPolicy());
        sched.procinit(cfg.procs());
        this.view = new View(sched);
        long[] debug = Sysmon.debugSettings();
        Sysmon sm = new Sysmon(sched, debug[0], debug[1] != 0);
        sched.sysmon = sm;
        sm.start();
        this.eventsMux = new EventsMux(sched);
        if (sched.seed != null) {
            // Go.checkpoint's fast path skips the carrier unless a preemption is pending: while a
            // seeded runtime lives, count one, so its checkpoints reach the budget (M.checkpoint).
            M.countPreempt(1);
        }
    }

    Sched sched() {
        return sched;
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("runtime is closed");
        }
        Throwable f = sched.fatal;
        if (f != null) {
            throw new IllegalStateException("runtime ended by an unhandled exception: " + f, f);
        }
    }

    private M ownCarrier() {
        Carrier c = Carrier.currentOrNull();
        return c instanceof M m && m.sched == sched ? m : null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T run(Callable<T> main) {
        Objects.requireNonNull(main, "main");
        Carrier caller = Carrier.currentOrNull();
        if (caller != null && !(caller instanceof VCarrier)) { // a virtual thread parks in get(), its M goes on
            throw new IllegalStateException("GoRuntime.run called from a goroutine: it would block its carrier;"
                    + " start a goroutine with Go.go instead");
        }
        checkUsable();
        CompletableFuture<Object> f = new CompletableFuture<>();
        NewProc.newprocExternal(sched, new Sched.MainCall(main), f);
        if (closed) { // raced with close(): do not wait for Ms that are gone
            sched.mains.remove(f);
            f.completeExceptionally(new IllegalStateException("runtime is closed"));
        }
        try {
            return (T) f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof dev.jgo.DeadlockException d) {
                dev.jgo.spi.RuntimeRegistry.deadlocked(this, d); // a flight recorder writes its window
            }
            throw GoroutineException.rethrow(e.getCause());
        } catch (InterruptedException e) {
            // The caller gives up waiting; the main goroutine itself keeps running.
            sched.mains.remove(f);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the main goroutine", e);
        }
    }

    @Override
    public Goroutine go(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        checkUsable();
        M m = ownCarrier();
        if (m != null) {
            return m.go(fn);
        }
        if (Carrier.currentOrNull() instanceof VCarrier vc && vc.scheduler() == this) {
            return vc.go(fn); // a virtual thread of this runtime: into its P, as Go.go
        }
        return NewProc.newprocExternal(sched, fn, null);
    }

    @Override
    public int gomaxprocs() {
        return sched.gomaxprocs;
    }

    @Override
    public int gomaxprocs(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("gomaxprocs must be >= 0, got " + n);
        }
        int cur = sched.gomaxprocs;
        if (n == 0 || n == cur) {
            return cur;
        }
        RuntimeConfig.checkProcs(n); // refused before the world stops or anything is allocated
        if (n > sched.maxmcount - 1) {
            throw new IllegalArgumentException(
                    "gomaxprocs must be at most maxThreads - 1 (" + (sched.maxmcount - 1) + "), got " + n);
        }
        checkUsable();
        if (Carrier.currentOrNull() instanceof VCarrier) { // see VirtualThreads "Stopping the world"
            return VirtualThreads.onPlatformThread(
                    sched.name + "-gomaxprocs", () -> safepoints().gomaxprocs(n));
        }
        return safepoints().gomaxprocs(n);
    }

    /**
     * This runtime's stop-the-world coordinator, made on first use by the installed {@link
     * SafepointCoordinator.Provider} (jgo-safepoint's bundle inside a framework) or the one found
     * on the class path.
     *
     * @throws UnsupportedOperationException if no provider is on the class path
     */
    @Override
    public SafepointCoordinator safepoints() {
        SafepointCoordinator c = coordinator;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (coordinator == null) {
                SafepointCoordinator.Provider installed = SafepointCoordinator.Provider.installed();
                SafepointCoordinator.Provider p = installed != null
                        ? installed
                        : ServiceLoader.load(SafepointCoordinator.Provider.class, CoreRuntime.class.getClassLoader())
                                .findFirst()
                                .orElseThrow(() -> new UnsupportedOperationException(
                                        "stop-the-world and GOMAXPROCS changes need jgo-safepoint (gc-safepoint-module)"
                                                + " on the class path"));
                coordinator = p.create(sched.world);
            }
            return coordinator;
        }
    }

    /** See {@link #safepoints()}; null until first used. */
    private volatile SafepointCoordinator coordinator;

    @Override
    public int numGoroutine() {
        return sched.gcount();
    }

    @Override
    public RuntimeView view() {
        return view;
    }

    // ---- JDK virtual threads (see VirtualThreads) ----

    /** Made on first use, so that a runtime that runs none needs no {@code --add-opens}. */
    private volatile VirtualThreads vthreads;

    /** This runtime's virtual-thread scheduler, null until a builder was asked for. */
    VirtualThreads virtualThreads() {
        return vthreads;
    }

    @Override
    public Thread.Builder.OfVirtual virtualThreadBuilder() {
        checkUsable();
        VirtualThreads v = vthreads;
        if (v == null) {
            synchronized (this) {
                if (vthreads == null) {
                    vthreads = new VirtualThreads(sched);
                }
                v = vthreads;
            }
        }
        return v.builder();
    }

    @Override
    public java.util.concurrent.ExecutorService newVirtualThreadPerTaskExecutor() {
        return java.util.concurrent.Executors.newThreadPerTaskExecutor(
                virtualThreadBuilder().factory());
    }

    // ---- Scheduler ----

    @Override
    public void ready(Goroutine g) {
        Objects.requireNonNull(g, "g");
        M m = ownCarrier();
        if (m == null && Thread.currentThread() instanceof M mt && mt.sched == sched && mt.curg == null) {
            m = mt; // timers: a timer function on a carrier between goroutines readies into its P
        }
        Ready.ready(sched, G.of(g), m != null && m.p != null ? m : null); // a foreign G goes to its own runtime
    }

    @Override
    public void addWaker(int delta) {
        if (delta != 1 && delta != -1) {
            throw new IllegalArgumentException("delta must be +1 or -1, got " + delta);
        }
        if (sched.wakers.addAndGet(delta) < 0) {
            sched.wakers.addAndGet(-delta);
            throw new IllegalStateException("addWaker: more releases than registrations");
        }
    }

    @Override
    public long nanotime() {
        return sched.nanotime();
    }

    @Override
    public java.time.Instant now() {
        return sched.synctest.instant();
    }

    @Override
    public long decisionNanotime() {
        if (sched.seed != null && !sched.synctest.virtual) {
            return 1; // stands still: no decision reads the wall clock (Seeded "Seeded choices")
        }
        return sched.nanotime();
    }

    @Override
    public void awaitBlocked() {
        sched.synctest.awaitBlocked();
    }

    @Override
    public int awaitOthersDone() {
        return sched.synctest.awaitOthersDone();
    }

    // ---- PolicyControl ----
    // The setters install a guard around a policy from outside jgo (PolicyGuard's note "Policies
    // that fail"); the getters return what was installed, never the guard. No lock is taken.

    @Override
    public StealPolicy stealPolicy() {
        return PolicyGuard.unwrap(sched.stealPolicy);
    }

    @Override
    public SpinPolicy spinPolicy() {
        return PolicyGuard.unwrap(sched.spinPolicy);
    }

    @Override
    public FairnessPolicy fairnessPolicy() {
        return PolicyGuard.unwrap(sched.fairness);
    }

    @Override
    public StealPolicy stealPolicy(StealPolicy p) {
        Objects.requireNonNull(p, "stealPolicy");
        StealPolicy old = sched.stealPolicy;
        sched.setStealPolicy(PolicyGuard.guard(PolicyGuard.unwrap(p)));
        return PolicyGuard.unwrap(old);
    }

    @Override
    public SpinPolicy spinPolicy(SpinPolicy p) {
        Objects.requireNonNull(p, "spinPolicy");
        SpinPolicy old = sched.spinPolicy;
        sched.spinPolicy = PolicyGuard.guard(PolicyGuard.unwrap(p));
        return PolicyGuard.unwrap(old);
    }

    @Override
    public FairnessPolicy fairnessPolicy(FairnessPolicy p) {
        Objects.requireNonNull(p, "fairnessPolicy");
        FairnessPolicy old = sched.fairness;
        sched.fairness = PolicyGuard.guard(PolicyGuard.unwrap(p));
        return PolicyGuard.unwrap(old);
    }

    // ---- EventsControl ----

    @Override
    public void attachEvents(SchedEvents listener) {
        eventsMux.attach(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public boolean detachEvents(SchedEvents listener) {
        return eventsMux.detach(listener);
    }

    // ---- close ----

    @Override
    public void close() {
        if (ownCarrier() != null || (Carrier.currentOrNull() instanceof VCarrier vc && vc.scheduler() == this)) {
            // invariant: close joins every M, so it never runs on one of them
            throw new IllegalStateException("GoRuntime.close called from one of its own goroutines");
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        RuntimeRegistry.unregister(this);
        sched.shutdown = true;
        if (sched.seed != null) {
            M.countPreempt(-1); // the count the constructor added
        }
        IllegalStateException e = new IllegalStateException("runtime is closed");
        for (CompletableFuture<Object> f : sched.mains) {
            sched.mains.remove(f);
            f.completeExceptionally(e);
        }
        // Invariant: a closed runtime holds no socket. First at once, so that peers see the end
        // and goroutines parked on the network wake, then again after the Ms ended, for what a
        // goroutine still running opened meanwhile.
        Netpoll.closeNetwork(sched);
        List<M> ms;
        sched.lock.lock();
        try {
            ms = new ArrayList<>(sched.allm);
            ms.addAll(sched.exiting); // exited, their threads perhaps not yet ended
        } finally {
            sched.lock.unlock();
        }
        Sysmon sm = sched.sysmon;
        LockSupport.unpark(sm);
        for (M mp : ms) {
            G gp = mp.curg;
            if (gp != null) {
                gp.requestPreempt();
            }
            mp.notewakeup();
        }
        Ms.wakeAllIdle(sched); // and an M blocked in the network poller
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_GRACE_MILLIS);
        join(sm, deadline);
        for (M mp : ms) {
            join(mp, deadline);
        }
        List<M> stuck = new ArrayList<>();
        for (M mp : ms) {
            if (mp.isAlive()) {
                mp.interrupt(); // a goroutine blocked in Go.blocking; what it throws is not a panic (Fatal.die)
                stuck.add(mp);
            }
        }
        deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_JOIN_MILLIS);
        for (M mp : stuck) {
            join(mp, deadline);
        }
        stuck.removeIf(mp -> !mp.isAlive());
        sched.detachNetpoller(); // the poller's own thread serves other runtimes' waiters if none drives it
        Netpoll.closeNetwork(sched);
        Fatal.reportLeftovers(sched);
        if (!stuck.isEmpty()) {
            throw new IllegalStateException(
                    "close: carriers still running goroutine code that never reaches a" + " runtime call: " + stuck);
        }
    }

    private static void join(Thread t, long deadlineNanos) {
        boolean interrupted = false;
        while (t.isAlive()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException ie) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "GoRuntime[" + sched.name + ", gomaxprocs=" + sched.gomaxprocs + (closed ? ", closed" : "") + "]";
    }
}
