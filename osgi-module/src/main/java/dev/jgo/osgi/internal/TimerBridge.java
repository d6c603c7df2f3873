package dev.jgo.osgi.internal;

import dev.jgo.spi.TimerQueue;
import dev.jgo.spi.TimerQueueFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The timer factory a runtime gets inside a framework: per-P queues that hand each call to the
 * queues of the {@link TimerQueueFactory} service bound now, so that the timer bundle can stop and
 * start while the runtime runs.
 *
 * <h2>Timer bundle stop and restart</h2>
 *
 * <p>Problem: the core creates its per-P timer queues once ({@code procinit}) and calls them from
 * every M; the factory that made them is a service of another bundle, which may leave at any time.
 * Rejected: rebuilding the runtime when it leaves (drops every goroutine); parking {@code
 * Go.sleep} until a factory comes back (a goroutine that waits forever if none does); keeping the
 * stopped bundle's factory in use (a stopped bundle must not serve new work).
 *
 * <p>Protocol:
 *
 * <ol>
 *   <li>Each factory the component installs ({@link #use}) is a generation: every P's queue gets a
 *       queue of that factory (a slot), then the generation becomes {@code current}.
 *   <li>{@link TimerQueue#newTimer} takes the current generation. With none (the timer bundle is
 *       stopped) it throws {@link IllegalStateException} {@value #STOPPED}: {@code Go.sleep},
 *       {@code Time.after}, {@code newTimer}, {@code afterFunc} and {@code newTicker} fail at
 *       once. A timer keeps its generation: add and modify go to that generation's queue of the
 *       caller's P.
 *   <li>A generation that stops being current is retired, not dropped: the Ms still run its queues
 *       ({@code checkTimers}), and {@code nobarrierWakeTime} and {@code liveTimers} count them, so
 *       goroutines already asleep wake on time and deadlock detection still sees their timers.
 *       The queues are data structures run by the runtime's Ms; they hold no thread of the stopped
 *       bundle.
 *   <li>A retired generation whose queues hold no live timer is removed ({@link #collect}). Add
 *       and modify enter a generation by incrementing its in-flight count unless it is sealed;
 *       removal marks it sealing by a CAS of that count from 0 (enters wait), sums the live
 *       timers, then seals it if there are none and reopens it otherwise: no timer enters a queue
 *       after the check that found them all empty. Re-arming a timer
 *       of a removed generation throws {@value #STOPPED}.
 * </ol>
 *
 * <p>One bridge per runtime; the component makes a new one when it rebuilds the runtime.
 */
final class TimerBridge implements TimerQueueFactory {
    static final String STOPPED = "jgo-timer bundle is stopped (no dev.jgo.spi.TimerQueueFactory service):"
            + " Go.sleep and dev.jgo.time work again once it starts";

    /** One installed factory and the in-flight count that guards its removal (step 4). */
    static final class Gen {
        private static final int SEALED = Integer.MIN_VALUE;
        /** collect is summing the live timers: enter waits for its verdict. */
        private static final int SEALING = Integer.MIN_VALUE + 1;

        final TimerQueueFactory factory;
        private final AtomicInteger inflight = new AtomicInteger();

        Gen(TimerQueueFactory factory) {
            this.factory = factory;
        }

        /** Enters unless sealed. Concurrency: any thread. */
        boolean enter() {
            for (; ; ) {
                int n = inflight.get(); // volatile: the seal CAS and the enters are totally ordered
                if (n == SEALED) {
                    return false;
                }
                if (n == SEALING) { // a sum of a few counters, no blocking call: wait it out
                    Thread.onSpinWait();
                    continue;
                }
                if (inflight.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        void exit() {
            inflight.decrementAndGet();
        }

        boolean trySeal() {
            return inflight.compareAndSet(0, SEALING);
        }

        void seal() {
            inflight.set(SEALED);
        }

        void unseal() {
            inflight.set(0);
        }
    }

    /** A queue of generation {@code gen} for one P. */
    record Slot(Gen gen, TimerQueue queue) {}

    /** Guards generation changes and queue creation. */
    private final Object lock = new Object();

    private final List<BridgedQueue> queues = new CopyOnWriteArrayList<>();
    private final List<Gen> retired = new CopyOnWriteArrayList<>();
    private final AtomicBoolean collecting = new AtomicBoolean();

    /** The generation new timers go to; null while no factory service is bound. */
    private volatile Gen current;

    /**
     * Installs {@code f} as the factory of new timers (null: none, the timer bundle is stopped);
     * the previous one is retired (step 3). Concurrency: any thread (SCR's).
     */
    void use(TimerQueueFactory f) {
        synchronized (lock) {
            Gen old = current;
            if (old != null && old.factory == f) {
                return;
            }
            Gen g = null;
            if (f != null) {
                g = new Gen(f);
                for (BridgedQueue q : queues) {
                    q.addSlot(new Slot(g, f.create(q.pid, q.host)));
                }
            }
            current = g; // volatile write: publishes the slots added above
            if (old != null) {
                retired.add(old);
            }
        }
        collect();
    }

    /** The factory in use, null if none. */
    TimerQueueFactory factory() {
        Gen g = current;
        return g == null ? null : g.factory;
    }

    /** Retired generations not removed yet. */
    int retiredCount() {
        return retired.size();
    }

    /** Removes the retired generations without live timers (step 4). Concurrency: any thread. */
    void collect() {
        if (retired.isEmpty() || !collecting.compareAndSet(false, true)) {
            return;
        }
        try {
            for (Gen g : retired) {
                if (liveTimers(g) > 0 || !g.trySeal()) { // the first sum only spares the seal
                    continue;
                }
                if (liveTimers(g) > 0) {
                    g.unseal();
                    continue;
                }
                g.seal();
                for (BridgedQueue q : queues) {
                    q.removeSlots(g);
                }
                retired.remove(g);
            }
        } finally {
            collecting.set(false);
        }
    }

    private long liveTimers(Gen g) {
        long live = 0;
        for (BridgedQueue q : queues) {
            TimerQueue r = q.queueOf(g);
            if (r != null) {
                live += r.liveTimers();
            }
        }
        return live;
    }

    @Override
    public String name() {
        return "osgi";
    }

    /** Concurrency: procinit or procresize of the runtime. */
    @Override
    public TimerQueue create(int pid, TimerQueue.Host host) {
        synchronized (lock) {
            BridgedQueue q = new BridgedQueue(this, pid, host);
            Gen g = current;
            if (g != null) {
                q.addSlot(new Slot(g, g.factory.create(pid, host)));
            }
            queues.add(q);
            return q;
        }
    }

    /** One P's queue: the slots of every generation not removed yet, newest last. */
    static final class BridgedQueue implements TimerQueue {
        final TimerBridge bridge;
        final int pid;
        final TimerQueue.Host host;
        /** Copy-on-write; read without locks by every M. */
        private final AtomicReference<Slot[]> slots = new AtomicReference<>(new Slot[0]);

        BridgedQueue(TimerBridge bridge, int pid, TimerQueue.Host host) {
            this.bridge = bridge;
            this.pid = pid;
            this.host = host;
        }

        void addSlot(Slot s) {
            slots.updateAndGet(a -> {
                Slot[] b = Arrays.copyOf(a, a.length + 1);
                b[a.length] = s;
                return b;
            });
        }

        void removeSlots(Gen g) {
            slots.updateAndGet(a -> {
                List<Slot> keep = new ArrayList<>(a.length);
                for (Slot s : a) {
                    if (s.gen != g) {
                        keep.add(s);
                    }
                }
                return keep.toArray(new Slot[0]);
            });
        }

        /** This P's queue of generation {@code g}, null if it has none (removed). */
        TimerQueue queueOf(Gen g) {
            for (Slot s : slots.get()) {
                if (s.gen == g) {
                    return s.queue;
                }
            }
            return null;
        }

        @Override
        public Timer newTimer(Func f, Object arg) {
            Gen g = bridge.current;
            TimerQueue q = g == null ? null : queueOf(g);
            if (q == null) {
                throw new IllegalStateException(STOPPED);
            }
            return new BridgedTimer(g, q.newTimer(f, arg));
        }

        @Override
        public void add(Timer t, long when, long period) {
            BridgedTimer bt = (BridgedTimer) t;
            if (!bt.gen.enter()) {
                throw new IllegalStateException(STOPPED);
            }
            try {
                TimerQueue q = queueOf(bt.gen);
                if (q == null) {
                    throw new IllegalStateException(STOPPED);
                }
                q.add(bt.real, when, period);
            } finally {
                bt.gen.exit();
            }
        }

        @Override
        public long nobarrierWakeTime() {
            long min = 0;
            for (Slot s : slots.get()) {
                long w = s.queue.nobarrierWakeTime();
                if (w != 0 && (min == 0 || w < min)) {
                    min = w;
                }
            }
            return min;
        }

        @Override
        public long checkTimers(long now, boolean owner) {
            long next = 0;
            boolean emptied = false;
            Gen cur = bridge.current;
            for (Slot s : slots.get()) {
                if (s.gen != cur && s.queue.liveTimers() == 0) {
                    emptied = true; // this P's part of a retired generation is empty: maybe all are
                }
                if (s.queue.nobarrierWakeTime() == 0) {
                    continue;
                }
                long w = s.queue.checkTimers(now, owner);
                if (w != 0 && (next == 0 || w < next)) {
                    next = w;
                }
            }
            if (emptied && owner) {
                bridge.collect();
            }
            return next;
        }

        @Override
        public int liveTimers() {
            int n = 0;
            for (Slot s : slots.get()) {
                n += s.queue.liveTimers();
            }
            return n;
        }

        /** Concurrency: world stopped. */
        @Override
        public void moveTimersTo(TimerQueue dst) {
            BridgedQueue d = (BridgedQueue) dst;
            for (Slot s : slots.getAndSet(new Slot[0])) {
                TimerQueue to = d.queueOf(s.gen);
                if (to != null) {
                    s.queue.moveTimersTo(to);
                } else {
                    d.addSlot(s);
                }
            }
        }

        @Override
        public String name() {
            Gen g = bridge.current;
            return g == null ? "stopped" : g.factory.name();
        }

        @Override
        public String toString() {
            return "BridgedTimerQueue[P" + pid + ", " + Arrays.toString(slots.get()) + "]";
        }
    }

    /** A timer of one generation. */
    static final class BridgedTimer implements TimerQueue.Timer {
        final Gen gen;
        final TimerQueue.Timer real;

        BridgedTimer(Gen gen, TimerQueue.Timer real) {
            this.gen = gen;
            this.real = real;
        }

        @Override
        public boolean stop() {
            return real.stop();
        }

        @Override
        public boolean modify(TimerQueue current, long when, long period) {
            if (!gen.enter()) {
                throw new IllegalStateException(STOPPED);
            }
            try {
                TimerQueue q = ((BridgedQueue) current).queueOf(gen);
                if (q == null) {
                    throw new IllegalStateException(STOPPED);
                }
                return real.modify(q, when, period);
            } finally {
                gen.exit();
            }
        }

        @Override
        public long seq() {
            return real.seq();
        }
    }
}
