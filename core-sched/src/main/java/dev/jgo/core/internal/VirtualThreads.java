package dev.jgo.core.internal;

import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import dev.jgo.spi.GoroutineInfo;
import dev.jgo.spi.SchedEvents;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * JDK virtual threads scheduled by a runtime: the {@link Executor} the JDK submits them to ({@code
 * GoRuntime.virtualThreadBuilder()}).
 *
 * <h2>Design note: Virtual threads in the run queues</h2>
 *
 * Problem: the JDK's virtual-thread scheduler is a fixed ForkJoinPool; jgo should run unmodified
 * blocking Java code (sockets, {@code Thread.sleep}, {@code ReentrantLock}) with its own G-M-P
 * scheduler, its policies and its observability. On JDK 25 a virtual thread's scheduler is an
 * {@code Executor}: each time the thread becomes runnable, the JDK calls {@code execute} with the
 * thread's task, which mounts the thread on the calling platform thread and runs it until it parks
 * or ends ({@code VirtualThread.runContinuation}).
 *
 * <p>Rejected: running each task inside a goroutine (a continuation inside a continuation: a G
 * and a yield per run, and the goroutine's frames under every virtual thread); a separate pool of
 * carriers (not jgo's scheduler at all). Chosen: each virtual thread is a G without a continuation
 * ({@link G#vt} set), queued like a goroutine and run by an M directly on its thread:
 *
 * <ol>
 *   <li>{@link #execute} for a task not seen before ({@link VThreadTable} "Finding a submitted
 *       thread") starts the thread: a G from the free lists
 *       (counted as a created goroutine, so {@code numGoroutine} includes it), RUNNABLE. For a
 *       known task it follows {@link VThread} "Run states": a parked thread's G goes WAITING to
 *       RUNNABLE.
 *   <li>The G is queued as {@code ready} queues a goroutine: from inside the runtime (a goroutine,
 *       a virtual thread, a timer function or the run's tail on an M holding a P) into that P's
 *       runnext, or its tail when the fairness policy turns runnext off; from outside into the
 *       global queue. Then wakep. So stealing, spinning, fairness and {@code gomaxprocs(n)}
 *       apply as to goroutines.
 *   <li>{@code Schedule.execute} hands such a G to {@link #run}: RUNNABLE to RUNNING, the task on the
 *       M's own thread (not in a continuation), then DEAD and the free list if the thread ended,
 *       else WAITING. At most {@code gomaxprocs} Ms hold a P, so at most that many goroutines and
 *       virtual threads run at once.
 *   <li>The M continues with its P's next G as after a goroutine's park.
 * </ol>
 *
 * <h2>Design note: Deadlock detection</h2>
 *
 * A virtual thread parked in a jgo operation ({@link VCarrier} "Parking a virtual thread") waits
 * as a goroutine does: only the runtime's goroutines and threads can wake it. One parked by the
 * JDK (sleep, socket, lock) can be woken by the JDK's own threads, which checkdead does not see:
 * while parked so it counts in {@code sched.wakers}, incremented by the M before the G can be
 * resubmitted and decremented by the submitter after it queued the G, so checkdead never sees
 * zero wakers with the thread neither queued nor waking.
 *
 * <h2>Design note: Stopping the world</h2>
 *
 * A goroutine that stops the world keeps its own P and blocks its M while it waits for the
 * others. A virtual thread cannot keep a P: its wait parks it, its M then stops its P with the
 * rest, and no P would be left to run the thread that must start the world again. So {@code
 * gomaxprocs(n)} called from a virtual thread runs on a platform thread ({@link
 * #onPlatformThread}) while the virtual thread parks, as a call from outside the runtime would.
 *
 * <h2>Design note: Reflective access</h2>
 *
 * The JDK makes a builder for a given scheduler only through the package-private constructor
 * {@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)}, which needs {@code --add-opens
 * java.base/java.lang=ALL-UNNAMED}. The same opening lets jgo read, from the task, the thread it
 * continues (the task is a lambda bound to the thread) and that thread's state (still {@code
 * STARTED} at its first submission, so a start needs no lookup in {@link VThreadTable}), and
 * call the package-private {@code Thread.currentCarrierThread()}, which tells a virtual thread
 * the M it runs on (so its own jgo calls and the threads it readies use that M's P, and {@code
 * Carrier.current()} finds its {@link VCarrier}). A public scheduler interface in the JDK
 * (Project Loom's custom schedulers: a {@code Thread.Builder.OfVirtual} given a scheduler that is
 * handed the thread on each submission) would replace all four: the builder directly, the thread as a parameter of the submission (a start
 * told from a wake-up by which call the scheduler gets, its state in a field of the thread's
 * scheduler object instead of {@link VThreadTable}), and the current thread's entry in a table
 * of this scheduler's own threads.
 *
 * <p>Concurrency: {@link #execute} any thread; {@link #run} the M that dequeued the G.
 */
final class VirtualThreads implements Executor {
    private final Sched sched;
    /** Live virtual threads by the thread of the task the JDK hands to {@link #execute}. */
    private final VThreadTable byThread = new VThreadTable();

    VirtualThreads(Sched sched) {
        this.sched = sched;
        Jdk.get(); // fail fast: the flag is checked before any builder is made
    }

    // ---- JDK access (see "Reflective access") ----

    /** The JDK's internals this needs, resolved once per JVM. */
    private static final class Jdk {
        private static volatile Jdk instance;

        final Constructor<?> builder;
        /**
         * {@code Thread.currentCarrierThread()}: the platform thread a virtual thread is mounted
         * on. Read through this object (not a constant), so the JIT cannot fold it across a park.
         */
        final MethodHandle currentCarrier;
        /** The field of the task's class that holds the thread, per task class. */
        final ClassValue<Field> threadField = new ClassValue<>() {
            @Override
            protected Field computeValue(Class<?> type) {
                for (Field f : type.getDeclaredFields()) {
                    if (Thread.class.isAssignableFrom(f.getType())) {
                        f.setAccessible(true);
                        return f;
                    }
                }
                return null;
            }
        };

        private Jdk() throws ReflectiveOperationException {
            Class<?> b = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            builder = b.getDeclaredConstructor(Executor.class);
            builder.setAccessible(true);
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
            currentCarrier = l.findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
            // The JDK's socket poller threads are virtual threads started by the first thread that
            // polls, on that thread's scheduler: start them from here, on the JDK's own.
            Class.forName("sun.nio.ch.Poller", true, ClassLoader.getPlatformClassLoader());
        }

        static Jdk get() {
            Jdk j = instance;
            if (j != null) {
                return j;
            }
            synchronized (Jdk.class) {
                if (instance == null) {
                    JvmFlags.requireLangOpens();
                    try {
                        instance = new Jdk();
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        throw new IllegalStateException(
                                "jgo cannot build virtual threads for its scheduler on this JDK (" + Runtime.version()
                                        + "): " + e,
                                e);
                    }
                    VCarrier.install();
                }
                return instance;
            }
        }
    }

    /**
     * Carrier's lookup: the {@link VCarrier} of {@code t} if it is a virtual thread of some
     * runtime, else null. Concurrency: {@code t} itself.
     */
    static Carrier carrierOf(Thread t) {
        VThread v = running(t);
        return v != null ? v.carrier() : null;
    }

    /**
     * The {@link VThread} of the calling virtual thread {@code t} if an M of some runtime runs it,
     * else null: the M is the thread's carrier, and it records what it runs ({@link M#vrun}).
     *
     * <p>Concurrency: {@code t} itself.
     */
    static VThread running(Thread t) {
        Jdk j = Jdk.instance;
        if (j == null) {
            return null;
        }
        Thread carrier;
        try {
            carrier = (Thread) j.currentCarrier.invokeExact();
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
        VThread v = carrier instanceof M mp ? mp.vrun : null; // written by that M, on this OS thread
        return v != null && v.thread == t ? v : null;
    }

    /** A new JDK builder for this runtime. Concurrency: any thread. */
    Thread.Builder.OfVirtual builder() {
        try {
            return (Thread.Builder.OfVirtual) Jdk.get().builder.newInstance(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make the JDK's virtual thread builder: " + e, e);
        }
    }

    // ---- submissions ----

    /**
     * The M of this runtime whose P the calling thread may use as its owner (a goroutine, a
     * virtual thread, or the M itself between runs), else null (see "Virtual threads in the run
     * queues", step 2).
     */
    private M ownerM() {
        Thread t = Thread.currentThread();
        return ownerM(t, t.isVirtual() ? running(t) : null);
    }

    /** {@link #ownerM()} for the calling thread {@code t}, given {@code running(t)} if it is virtual. */
    private M ownerM(Thread t, VThread v) {
        // A goroutine's currentThread may be a stale M (see Carrier.carrierThread), never a
        // virtual thread; a virtual thread's is its own.
        if (t.isVirtual()) {
            M mp = v != null ? v.m : null; // written by the M running t, on this OS thread
            return mp != null && mp.sched == sched && mp.p != null ? mp : null;
        }
        Carrier c = Carrier.currentOrNull();
        if (c instanceof M mp) {
            return mp.sched == sched && mp.p != null ? mp : null;
        }
        // Not a goroutine, so no continuation of ours spans this frame: t is fresh.
        return c == null && t instanceof M mp && mp.sched == sched && mp.curg == null && mp.p != null ? mp : null;
    }

    /**
     * The goroutine or virtual thread calling ({@code t}, with {@code running(t)} as {@code v} if it
     * is virtual), as a G, if it runs on {@code mp}; else null.
     */
    private static G callerG(M mp, Thread t, VThread v) {
        if (t.isVirtual()) {
            return v != null && v.m == mp ? v.g : null;
        }
        return Carrier.currentOrNull() == mp ? mp.curg : null;
    }

    /**
     * The JDK's submission of a virtual thread's task: starts it or makes it runnable again (see
     * "Virtual threads in the run queues").
     *
     * <p>Concurrency: any thread (the JDK pins a virtual caller while it runs).
     *
     * @throws RejectedExecutionException for a new thread once the runtime is closed
     */
    @Override
    public void execute(Runnable task) {
        Thread t = threadOf(task);
        if (firstSubmission(t)) {
            assert byThread.get(t) == null : "first submission of a known thread " + t;
            start(task, t);
            return;
        }
        VThread v = byThread.get(t);
        if (v == null) {
            start(task, t);
            return;
        }
        for (; ; ) {
            switch (v.state()) {
                case VThread.PARKED -> {
                    if (!v.casState(VThread.PARKED, VThread.QUEUED)) {
                        continue;
                    }
                    if (sched.stopping()) {
                        return; // abandoned with the runtime's goroutines (reported by close)
                    }
                    G gp = v.g;
                    M mp = ownerM();
                    gp.casgstatus(G.WAITING, G.RUNNABLE);
                    if (sched.events instanceof SchedEvents ev) {
                        Emit.goUnpark(ev, gp.goid, mp != null ? mp.p.id : -1);
                    }
                    enqueue(gp, mp);
                    if (v.wakerCounted) { // after the queue: see "Deadlock detection"
                        v.wakerCounted = false;
                        sched.wakers.decrementAndGet();
                    }
                    Ms.wakep(sched);
                    return;
                }
                case VThread.RUNNING -> {
                    if (v.casState(VThread.RUNNING, VThread.AGAIN)) {
                        return; // the M running it queues it again at the run's end
                    }
                }
                default -> {
                    return; // QUEUED or AGAIN: a run is pending; DONE: stale
                }
            }
        }
    }

    /**
     * A new virtual thread: its G, runnable and queued (step 1).
     *
     * <p>Concurrency: any thread; the owner of {@code ownerM()}'s P when it returns one.
     */
    private void start(Runnable task, Thread t) {
        if (sched.stopping()) {
            throw new RejectedExecutionException("runtime '" + sched.name + "' is closed");
        }
        Thread cur = Thread.currentThread();
        VThread caller = cur.isVirtual() ? running(cur) : null; // once: a method handle call
        M mp = ownerM(cur, caller);
        P pp = mp != null ? mp.p : null;
        G gp = pp != null ? NewProc.gfget(sched, pp) : NewProc.gfgetGlobal(sched);
        if (gp == null) {
            gp = new G(sched);
            gp.casgstatus(G.IDLE, G.DEAD);
            sched.allgs.add(gp);
        }
        VThread v = new VThread(gp, task, t);
        gp.vt = v;
        gp.fn = null;
        gp.cont = null;
        gp.panic = null;
        gp.result = null;
        gp.labels = null;
        long parent = 0;
        if (mp != null) {
            if (pp.goidcache == pp.goidcacheend) { // as newproc1
                pp.goidcache = sched.goidgen.getAndAdd(P.GOID_BATCH) + 1;
                pp.goidcacheend = pp.goidcache + P.GOID_BATCH;
            }
            gp.goid = pp.goidcache++;
            pp.goroutinesCreated++;
            G parentG = callerG(mp, cur, caller);
            if (parentG != null) {
                parent = parentG.goid;
                gp.labels = parentG.labels;
            }
        } else {
            gp.goid = sched.goidgen.incrementAndGet();
            sched.externalCreated.incrementAndGet();
        }
        byThread.put(v); // before the G is queued: its first run may submit it again
        gp.casgstatus(G.DEAD, G.RUNNABLE); // publishes the fields above to the M that runs it
        if (sched.events instanceof SchedEvents ev) {
            Emit.goCreate(ev, gp.goid, parent, pp != null ? pp.id : -1);
        }
        enqueue(gp, mp);
        Ms.wakep(sched);
    }

    /**
     * ready's queueing: the owner P's runnext (or tail), else the global queue.
     *
     * <p>Concurrency: the owner of {@code mp}'s P, or any thread with {@code mp == null}.
     */
    private void enqueue(G gp, M mp) {
        if (mp != null) {
            Ready.runqput(sched, mp.p, gp, sched.fairness.useRunnext(), mp);
        } else {
            Ready.globrunqput(sched, gp);
        }
    }

    /**
     * The JDK's task class ({@code VirtualThread.runContinuation}'s lambda) and its thread field as
     * constants, so that {@link #threadOf} compiles to a type check and a field load; null where
     * this JDK's task has another shape (then the reflective path serves). And the thread's own
     * state with the value it has from {@code start()} to its first run, {@code STARTED}, so that
     * a first submission needs no lookup; null where the JDK has no such state (then the table
     * tells).
     */
    private static final class TaskThread {
        static final Class<?> TYPE;
        static final VarHandle THREAD;
        static final VarHandle STATE;
        static final int STARTED;

        static {
            VarHandle state = null;
            int started = -1;
            try {
                Class<?> vt = Class.forName("java.lang.VirtualThread");
                MethodHandles.Lookup l = MethodHandles.privateLookupIn(vt, MethodHandles.lookup());
                Field f = vt.getDeclaredField("STARTED");
                f.setAccessible(true);
                started = f.getInt(null);
                state = l.findVarHandle(vt, "state", int.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                state = null; // the table tells a first submission
            }
            STATE = state;
            STARTED = started;
            Class<?> type = null;
            VarHandle vh = null;
            try {
                Thread probe = Thread.ofVirtual().unstarted(() -> {});
                Field rc = Class.forName("java.lang.VirtualThread").getDeclaredField("runContinuation");
                rc.setAccessible(true);
                Class<?> c = rc.get(probe).getClass();
                Field f = Jdk.get().threadField.get(c);
                if (f != null) {
                    vh = MethodHandles.privateLookupIn(c, MethodHandles.lookup())
                            .unreflectVarHandle(f);
                    type = c;
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // the reflective path of threadOf serves
            }
            TYPE = type;
            THREAD = vh;
        }
    }

    /**
     * Whether this is the JDK's first submission of {@code t}: it is between {@code start()} and
     * its first run, a state no later submission sees (the JDK submits a thread again only once
     * it ran and parked or yielded). False where the JDK's state is not readable.
     *
     * <p>Concurrency: any thread.
     */
    static boolean firstSubmission(Thread t) {
        VarHandle state = TaskThread.STATE;
        return state != null && (int) state.getVolatile(t) == TaskThread.STARTED; // volatile, as the JDK's
    }

    /** The thread a task continues (a lambda bound to it). Concurrency: any thread. */
    static Thread threadOf(Runnable task) {
        if (task.getClass() == TaskThread.TYPE) {
            return (Thread) TaskThread.THREAD.get(task); // a final field, set before the task was shared
        }
        Field f = Jdk.get().threadField.get(task.getClass());
        try {
            if (f != null && f.get(task) instanceof Thread t) {
                return t;
            }
        } catch (IllegalAccessException e) {
            // fall through
        }
        throw new IllegalStateException("not a virtual thread's task: " + task);
    }

    /**
     * Runs {@code call} on a new platform thread and returns its result, the calling virtual
     * thread parked meanwhile (see "Stopping the world"); rethrows what it threw.
     *
     * <p>Concurrency: a virtual thread.
     */
    static <T> T onPlatformThread(String name, java.util.concurrent.Callable<T> call) {
        java.util.concurrent.FutureTask<T> f = new java.util.concurrent.FutureTask<>(call);
        Thread.ofPlatform().daemon().name(name).start(f);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the call goes on: wait for it
                } catch (java.util.concurrent.ExecutionException e) {
                    throw dev.jgo.GoroutineException.rethrow(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- runs ----

    /**
     * Runs a virtual thread's G on {@code mp} until the thread parks or ends (see "Virtual threads
     * in the run queues", step 3).
     *
     * <p>Concurrency: {@code mp}, holding a P, with {@code gp} dequeued.
     */
    static void run(M mp, G gp, boolean inherit) {
        VThread v = gp.vt;
        Sched sched = mp.sched;
        P pp = mp.p;
        assert pp != null && v != null : "run: M" + mp.mid + " without a P or not a virtual thread";
        if (!inherit) {
            pp.schedtick++;
        }
        gp.m = mp;
        v.m = mp;
        mp.vrun = v;
        gp.casgstatus(G.RUNNABLE, G.RUNNING);
        gp.clearPreempt();
        gp.budget = sched.fairness.operationBudget();
        v.setState(VThread.RUNNING); // from QUEUED: submissions from here on mark AGAIN
        SchedEvents ev = sched.events;
        if (ev != null) {
            Emit.goStart(ev, gp.goid, pp.id, mp.mid);
        }
        try {
            v.task.run();
        } catch (Throwable t) { // the JDK's task handles the thread's own exceptions
            Fatal.fail(sched, "virtual thread " + v.thread, t);
        }
        Thread.interrupted(); // the thread's interrupt left with it (see M.ignoreInterrupt)
        mp.vrun = null;
        v.m = null;
        gp.m = null;
        if (v.thread.getState() == Thread.State.TERMINATED) {
            exit(mp, pp, gp, v);
            return;
        }
        if (!v.jgoParked) {
            gp.waitreason = VThread.jdkReason(v.thread.getState());
            v.wakerCounted = true; // see "Deadlock detection": before the G can be resubmitted
            sched.wakers.incrementAndGet();
        }
        gp.waitsince = 0;
        gp.casgstatus(G.RUNNING, G.WAITING);
        if (v.casState(VThread.RUNNING, VThread.PARKED)) {
            if (ev != null) {
                Emit.goPark(ev, gp.goid, gp.waitreason, pp.id);
            }
            return;
        }
        // AGAIN: submitted during the run (Thread.yield, an unpark racing the park): to the tail
        if (v.wakerCounted) {
            v.wakerCounted = false;
            sched.wakers.decrementAndGet();
        }
        gp.waitreason = WaitReason.ZERO;
        gp.casgstatus(G.WAITING, G.RUNNABLE);
        v.setState(VThread.QUEUED);
        Ready.runqput(sched, pp, gp, false, mp);
    }

    /**
     * The thread ended: its G goes to the free list, as goexit0 does.
     *
     * <p>Concurrency: {@code mp}, holding {@code pp}, right after the thread's last run.
     */
    private static void exit(M mp, P pp, G gp, VThread v) {
        Sched sched = mp.sched;
        v.setState(VThread.DONE);
        gp.casgstatus(G.RUNNING, G.DEAD);
        pp.goroutinesExited++;
        if (sched.events instanceof SchedEvents ev) {
            Emit.goExit(ev, gp.goid, pp.id);
        }
        if (sched.rt.virtualThreads() instanceof VirtualThreads vts) {
            vts.byThread.remove(v);
        }
        gp.vt = null;
        gp.labels = null;
        gp.waitreason = WaitReason.ZERO;
        NewProc.gfput(sched, pp, gp);
    }

    // ---- introspection ----

    /**
     * A virtual thread's G in a goroutine snapshot: its stack read from the thread, its JDK state
     * in the wait reason when the JDK parked it. Null once it ended.
     *
     * <p>Concurrency: any thread (racy, as snapshots of running goroutines are).
     */
    static GoroutineInfo snapshot(G gp, VThread v, long now) {
        int s = gp.readgstatus();
        if (s == G.DEAD || s == G.IDLE || gp.vt != v) {
            return null;
        }
        M mp = v.m;
        List<StackTraceElement> stack = List.of(v.thread.getStackTrace());
        WaitReason reason = s == G.WAITING ? gp.waitreason : WaitReason.ZERO;
        long since = 0;
        if (s == G.WAITING) {
            if (gp.waitsince == 0) {
                gp.waitsince = now; // racy, as the first observation of a wait may be
            }
            since = gp.waitsince;
        }
        String name = v.thread.getName();
        return new GoroutineInfo(
                gp.goid,
                G.state(s),
                reason,
                since,
                gp.labels,
                stack,
                mp != null ? mp.mid : -1,
                0,
                "virtual thread #" + v.thread.threadId() + (name.isEmpty() ? "" : " \"" + name + "\""),
                null);
    }
}
