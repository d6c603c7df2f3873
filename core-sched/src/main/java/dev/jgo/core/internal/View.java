package dev.jgo.core.internal;

import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.spi.GoroutineInfo;
import dev.jgo.spi.MachineInfo;
import dev.jgo.spi.RuntimeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link RuntimeView} over a {@link Sched}: reads counters and queue indices racily, takes
 * sched.lock only to copy the M list.
 *
 * <h2>Design note: goroutine stacks</h2>
 *
 * A goroutine that is not running has its frames in its unmounted continuation; one that runs
 * has them on its carrier thread, above {@code Continuation.enter} and the M's schedule loop. Both
 * are cut to the goroutine's own frames: everything from {@link Sched}{@code .body} down (the
 * goroutine entry and the carrier's frames) and, at the top, the continuation's yield frames and
 * {@code M.mcall}, so a parked goroutine's innermost frame is {@code M.park} (Go's {@code
 * runtime.gopark}).
 *
 * <ol>
 *   <li>RUNNABLE or WAITING, not mounted: set the scan bit (see G "the scan bit"), walk the
 *       continuation, clear the bit. Stamp {@code waitsince} if unset, as Go's GC does.
 *   <li>Mounted (running, in a syscall, or a pinned park): {@code Thread.getStackTrace} of its M,
 *       then re-read {@code gp.m}, the status and the id; if any changed, or the goroutine's
 *       frames are not on the carrier yet, try again (8 times, then report the goroutine with an
 *       empty stack).
 * </ol>
 */
final class View implements RuntimeView {
    private final Sched sched;
    private final long start = System.nanoTime();

    View(Sched sched) {
        this.sched = sched;
    }

    private List<M> ms() {
        sched.lock.lock();
        try {
            return new ArrayList<>(sched.allm);
        } finally {
            sched.lock.unlock();
        }
    }

    @Override
    public int gomaxprocs() {
        return sched.gomaxprocs;
    }

    @Override
    public int numGoroutine() {
        return sched.gcount();
    }

    @Override
    public int threads() {
        sched.lock.lock();
        try {
            return Ms.mcount(sched);
        } finally {
            sched.lock.unlock();
        }
    }

    @Override
    public int idleThreads() {
        sched.lock.lock();
        try {
            return sched.nmidle;
        } finally {
            sched.lock.unlock();
        }
    }

    @Override
    public int idleProcs() {
        return sched.npidle.get();
    }

    @Override
    public int spinningThreads() {
        return sched.nmspinning.get();
    }

    @Override
    public int globalRunqSize() {
        return sched.runq.size();
    }

    @Override
    public int localRunqSize(int pid) {
        return p(pid).runq.size();
    }

    private P p(int pid) {
        P[] all = sched.allp;
        if (pid < 0 || pid >= all.length) {
            throw new IllegalArgumentException("no P " + pid + " (gomaxprocs=" + all.length + ")");
        }
        return all[pid];
    }

    @Override
    public Counters counters(int pid) {
        return counters(p(pid));
    }

    private static Counters counters(P pp) {
        return new Counters(
                pp.schedtick, pp.goroutinesCreated, pp.steals, pp.stolenGoroutines, 0, 0, 0, 0, pp.runq.overflows);
    }

    /**
     * Sums the per-P counters and adds the per-M ones (spins, parks, unparks, empty wake-ups,
     * wake-ups, spin rounds).
     */
    @Override
    public Counters counters() {
        Counters c = new Counters(0, sched.externalCreated.get(), 0, 0, 0, 0, 0, 0, 0);
        for (P pp : sched.everyP) { // dead Ps too (World "procresize")
            c = c.plus(counters(pp));
        }
        for (M m : ms()) {
            c = c.plus(new Counters(
                    0, 0, 0, 0, m.spins, m.mParks, m.mUnparks, m.emptyWakeups, 0, m.mWakeups, m.spinRounds));
        }
        return c;
    }

    /** Sysmon's counters, plain fields written by the sysmon thread only, read racily. */
    @Override
    public SysmonCounters sysmon() {
        Sysmon sm = sched.sysmon; // volatile load: set once when the runtime starts
        if (sm == null) {
            return new SysmonCounters(0, 0, 0, 0);
        }
        LongRunWatch lr = sm.longRuns;
        return new SysmonCounters(
                sm.retakes, sm.preemptions, sm.autoHandoffs, sm.overdueTimerWakes, lr != null ? lr.warnings : 0);
    }

    // ---- snapshots ----

    private static final String BODY_CLASS = Sched.class.getName();
    private static final String M_CLASS = M.class.getName();

    /**
     * The goroutine's own frames of {@code st} (see "goroutine stacks"), or null when {@code st}
     * holds no goroutine entry frame (the carrier is between goroutines).
     */
    static List<StackTraceElement> trimGoroutine(StackTraceElement[] st) {
        int bottom = -1;
        for (int i = 0; i < st.length; i++) {
            if (st[i].getMethodName().equals("body") && st[i].getClassName().equals(BODY_CLASS)) {
                bottom = i;
                break;
            }
        }
        if (bottom < 0) {
            return null;
        }
        int top = 0;
        while (top < bottom
                && (st[top].getClassName().startsWith("jdk.internal.vm.")
                        || (st[top].getClassName().equals(M_CLASS)
                                && st[top].getMethodName().equals("mcall")))) {
            top++;
        }
        return Arrays.asList(st).subList(top, bottom);
    }

    private static List<StackTraceElement> threadStack(M mp) {
        List<StackTraceElement> s = trimGoroutine(mp.getStackTrace());
        return s != null ? s : List.of();
    }

    @Override
    public List<GoroutineInfo> goroutines() {
        List<GoroutineInfo> out = new ArrayList<>();
        long now = System.nanoTime();
        sched.allgs.forEach(gp -> {
            GoroutineInfo gi = snapshot(gp, now);
            if (gi != null) {
                out.add(gi);
            }
        });
        return out;
    }

    /** One goroutine, or null if it is dead. Concurrency: any thread but gp's own. */
    private static GoroutineInfo snapshot(G gp, long now) {
        VThread v = gp.vt;
        if (v != null) {
            return VirtualThreads.snapshot(gp, v, now);
        }
        int s = G.IDLE;
        for (int tries = 0; tries < 8; tries++) {
            s = gp.readgstatus();
            switch (s) {
                case G.IDLE, G.DEAD -> {
                    return null;
                }
                case G.RUNNABLE, G.WAITING -> {
                    if (!gp.castogscanstatus(s)) {
                        continue; // it moved on: read it again
                    }
                    try {
                        M pinned = gp.pinnedM;
                        M mp = pinned != null ? pinned : gp.m;
                        List<StackTraceElement> stack;
                        if (mp != null) {
                            stack = threadStack(mp); // mounted: a pinned goroutine's carrier
                        } else {
                            stack = contStack(gp);
                        }
                        long since = 0;
                        if (s == G.WAITING) {
                            if (gp.waitsince == 0) {
                                gp.waitsince = now; // the goroutine cannot run: the scan bit is ours
                            }
                            since = gp.waitsince;
                        }
                        return new GoroutineInfo(
                                gp.goid,
                                Goroutine.State.values()[stateOrdinal(s)],
                                s == G.WAITING ? gp.waitreason : WaitReason.ZERO,
                                since,
                                gp.labels,
                                stack,
                                mp != null ? mp.mid : -1,
                                creator(gp),
                                createdBy(gp, stack),
                                createdAt(gp));
                    } finally {
                        gp.casfromgscanstatus(s);
                    }
                }
                default -> { // RUNNING, SYSCALL, PREEMPTED: on a carrier
                    M mp = gp.m;
                    long goid = gp.goid;
                    List<StackTraceElement> stack = mp != null ? trimGoroutine(mp.getStackTrace()) : null;
                    java.util.Map<String, String> labels = gp.labels; // after the stack, as in machines
                    if (stack == null) {
                        // RUNNING is set just before the continuation is mounted (and SYSCALL
                        // left just after it is unmounted): no goroutine frames yet, look again
                        Thread.onSpinWait();
                        continue;
                    }
                    if (gp.m == mp && gp.readgstatus() == s && gp.goid == goid) {
                        return new GoroutineInfo(
                                goid,
                                Goroutine.State.values()[stateOrdinal(s)],
                                WaitReason.ZERO,
                                0,
                                labels,
                                stack,
                                mp != null ? mp.mid : -1,
                                creator(gp),
                                createdBy(gp, stack),
                                createdAt(gp));
                    }
                }
            }
        }
        if (s == G.IDLE || s == G.DEAD) {
            return null;
        }
        return new GoroutineInfo(
                gp.goid,
                Goroutine.State.values()[stateOrdinal(s)],
                WaitReason.ZERO,
                0,
                gp.labels,
                List.of(),
                -1,
                creator(gp),
                createdBy(gp),
                createdAt(gp));
    }

    // ---- created by (see G.GCont "created by"); read racily, the G may move on meanwhile ----

    private static long creator(G gp) {
        G.GCont c = gp.cont;
        return c != null ? c.creatorGoid : 0;
    }

    private static StackTraceElement createdAt(G gp) {
        G.GCont c = gp.cont;
        return c != null ? c.createdAt : null;
    }

    /**
     * The {@code go} call site's class.method when recorded, else the class defining the
     * goroutine's function (a lambda's host class), or null.
     */
    static String createdBy(G gp) {
        StackTraceElement at = createdAt(gp);
        if (at != null) {
            return at.getClassName() + "." + at.getMethodName();
        }
        Object fn = gp.fn;
        if (fn instanceof Sched.MainCall mc) {
            fn = mc.callable();
        }
        return fn == null ? null : hostClass(fn.getClass().getName());
    }

    /**
     * As {@link #createdBy(G)}, with the method when only the class is known and the goroutine's
     * outermost frames hold that class's lambda body: javac names it {@code lambda$<method>$N}
     * after the method that wrote it, the one whose {@code go} started the goroutine, which is
     * what Go's {@code created by main.f} names.
     */
    static String createdBy(G gp, List<StackTraceElement> stack) {
        String by = createdBy(gp);
        if (by == null || createdAt(gp) != null) {
            return by;
        }
        for (int i = stack.size() - 1; i >= 0; i--) {
            StackTraceElement e = stack.get(i);
            String m = e.getMethodName();
            int end = m.lastIndexOf('$');
            if (e.getClassName().equals(by) && m.startsWith("lambda$") && end > "lambda$".length()) {
                return by + "." + m.substring("lambda$".length(), end);
            }
        }
        return by;
    }

    /** {@code a.B$$Lambda/0x12} -> {@code a.B}; other names unchanged. */
    static String hostClass(String name) {
        int i = name.indexOf("$$Lambda");
        return i > 0 ? name.substring(0, i) : name;
    }

    private static int stateOrdinal(int s) {
        return switch (s) {
            case G.IDLE -> Goroutine.State.IDLE.ordinal();
            case G.RUNNABLE -> Goroutine.State.RUNNABLE.ordinal();
            case G.RUNNING -> Goroutine.State.RUNNING.ordinal();
            case G.SYSCALL -> Goroutine.State.SYSCALL.ordinal();
            case G.WAITING -> Goroutine.State.WAITING.ordinal();
            case G.DEAD -> Goroutine.State.DEAD.ordinal();
            default -> Goroutine.State.PREEMPTED.ordinal();
        };
    }

    /** The frames of an unmounted goroutine. Concurrency: holding gp's scan bit. */
    private static List<StackTraceElement> contStack(G gp) {
        G.GCont c = gp.cont;
        if (c == null) {
            return List.of();
        }
        try {
            List<StackTraceElement> s = trimGoroutine(c.getStackTrace());
            return s != null ? s : List.of(); // not started yet: no frames
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    @Override
    public List<MachineInfo> machines(boolean stacks) {
        List<MachineInfo> out = new ArrayList<>();
        for (M mp : ms()) {
            if (!mp.isAlive()) {
                continue;
            }
            // Racy plain reads of fields the M writes: a recent picture, rechecked below.
            G gp = mp.curg;
            P pp = mp.p;
            int pid = pp != null ? pp.id : -1;
            MachineInfo.State st;
            if (gp != null) {
                st = pp != null ? MachineInfo.State.RUNNING : MachineInfo.State.SYSCALL;
            } else {
                st = pp != null || mp.spinning
                        ? MachineInfo.State.SCHEDULER
                        : mp.inNetpoll() ? MachineInfo.State.NETPOLL : MachineInfo.State.IDLE;
            }
            VThread v = mp.vrun;
            if (gp == null && v != null && pp != null) {
                // a JDK virtual thread's run (VirtualThreads): its own frames, as a goroutine's
                List<StackTraceElement> vs = stacks ? Arrays.asList(v.thread.getStackTrace()) : List.of();
                out.add(new MachineInfo(mp.mid, mp, MachineInfo.State.RUNNING, pid, v.g.goid, v.g.labels, vs));
                continue;
            }
            if (gp == null) {
                // scheduler code (Go's g0 stack): the carrier's own frames, untrimmed
                if (!stacks || st != MachineInfo.State.SCHEDULER) {
                    out.add(new MachineInfo(mp.mid, mp, st, pid, -1, null, List.of()));
                    continue;
                }
                StackTraceElement[] walked = mp.getStackTrace();
                List<StackTraceElement> mounted = trimGoroutine(walked);
                if (mounted == null) {
                    out.add(new MachineInfo(mp.mid, mp, st, pid, -1, null, Arrays.asList(walked)));
                } else {
                    // a goroutine mounted during the walk: same invariant as below, its id and
                    // labels, read after the stack
                    G gp2 = mp.curg;
                    if (gp2 != null) {
                        out.add(new MachineInfo(
                                mp.mid, mp, MachineInfo.State.RUNNING, pid, gp2.goid, gp2.labels, mounted));
                    } // else it left again during the walk: no sample this time
                }
                continue;
            }
            long goid = gp.goid;
            List<StackTraceElement> stack = List.of();
            if (stacks) {
                stack = trimGoroutine(mp.getStackTrace());
                if (stack == null || mp.curg != gp || gp.goid != goid) {
                    // between goroutines (mcall in progress) or switched while we walked: look
                    // again. Invariant: a sample with goroutine frames carries that goroutine's
                    // id and labels; only frames without a goroutine entry are scheduler code (a
                    // goroutine mounted during this second walk was once sampled as scheduler
                    // code, without its labels).
                    G gp2 = mp.curg;
                    long goid2 = gp2 != null ? gp2.goid : -1;
                    StackTraceElement[] st2 = mp.getStackTrace();
                    List<StackTraceElement> g2 = trimGoroutine(st2);
                    if (g2 == null) {
                        out.add(new MachineInfo(
                                mp.mid, mp, MachineInfo.State.SCHEDULER, pid, -1, null, Arrays.asList(st2)));
                    } else if (gp2 != null) {
                        java.util.Map<String, String> labels2 = gp2.labels;
                        java.lang.invoke.VarHandle.loadLoadFence(); // labels before the re-check
                        if (mp.curg == gp2 && gp2.goid == goid2) {
                            out.add(new MachineInfo(mp.mid, mp, st, pid, goid2, labels2, g2));
                        } // else it switched (or its G was reused) during the walk: no sample
                    } // else it switched again during the walk: no sample this time
                    continue;
                }
            }
            // Invariant: the labels are read after the stack, so a sample's labels are at least
            // as new as its frames (read before, a goroutine that set labels and then entered a
            // method during the walk was sampled in that method without them).
            java.util.Map<String, String> labels = gp.labels;
            if (stacks) {
                // Invariant: the labels are those of the goroutine walked. A G is reused once its
                // goroutine exits (labels reset, new goid): re-check after reading them.
                java.lang.invoke.VarHandle.loadLoadFence();
                if (mp.curg != gp || gp.goid != goid) {
                    continue; // it exited and its G runs another goroutine: no sample this time
                }
            }
            out.add(new MachineInfo(mp.mid, mp, st, pid, goid, labels, stack));
        }
        return out;
    }

    @Override
    public String schedtrace(boolean detailed) {
        StringBuilder sb = new StringBuilder();
        sched.lock.lock();
        try {
            sb.append("SCHED ")
                    .append((System.nanoTime() - start) / 1_000_000)
                    .append("ms: gomaxprocs=")
                    .append(sched.gomaxprocs)
                    .append(" idleprocs=")
                    .append(sched.npidle.get())
                    .append(" threads=")
                    .append(Ms.mcount(sched))
                    .append(" spinningthreads=")
                    .append(sched.nmspinning.get())
                    .append(" idlethreads=")
                    .append(sched.nmidle)
                    .append(" runqueue=")
                    .append(sched.runq.size());
            if (detailed) { // Go's schedtrace(detailed): the rest of the header, then P, M, G lines
                Sysmon sm = sched.sysmon;
                sb.append(" gcwaiting=")
                        .append(sched.gcwaiting())
                        .append(" nmidlelocked=")
                        .append(sched.nmidlelocked)
                        .append(" stopwait=")
                        .append(sched.world.stopwait())
                        .append(" sysmonwait=")
                        .append(sm != null && sm.sleeping);
            } else {
                sb.append(" [");
                for (int i = 0; i < sched.allp.length; i++) {
                    sb.append(i == 0 ? "" : " ").append(sched.allp[i].runq.size());
                }
                sb.append("]");
            }
            sb.append('\n');
            if (detailed) {
                for (P pp : sched.allp) {
                    M m = pp.m;
                    sb.append("  P")
                            .append(pp.id)
                            .append(": status=")
                            .append(pp.status())
                            .append(" schedtick=")
                            .append(pp.schedtick)
                            .append(" syscalltick=")
                            .append(pp.syscalltick)
                            .append(" m=")
                            .append(m != null ? m.mid : -1)
                            .append(" runqsize=")
                            .append(pp.runq.size())
                            .append(" gfreecnt=")
                            .append(pp.gFreeCount)
                            .append(" timerslen=")
                            .append(pp.timers != null ? pp.timers.liveTimers() : 0)
                            .append('\n');
                }
                for (M m : sched.allm) {
                    P pp = m.p;
                    G g = m.curg;
                    sb.append("  M")
                            .append(m.mid)
                            .append(": p=")
                            .append(pp != null ? pp.id : -1)
                            .append(" curg=")
                            .append(g != null ? g.goid : -1)
                            .append(" mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=")
                            .append(m.spinning)
                            .append(" blocked=")
                            .append(m.getState() == Thread.State.WAITING && pp == null)
                            .append(" lockedg=")
                            .append(m.lockedg != null ? m.lockedg.goid : -1)
                            .append('\n');
                }
                sched.allgs.forEach(
                        gp -> { // racy reads, as Go's
                            M gm = gp.m;
                            M lm = gp.lockedm;
                            sb.append("  G")
                                    .append(gp.goid)
                                    .append(": status=")
                                    .append(gp.readgstatus())
                                    .append('(')
                                    .append(gp.waitreason.text())
                                    .append(") m=")
                                    .append(gm != null ? gm.mid : -1)
                                    .append(" lockedm=")
                                    .append(lm != null ? lm.mid : -1)
                                    .append('\n');
                        });
            }
        } finally {
            sched.lock.unlock();
        }
        return sb.toString();
    }
}
