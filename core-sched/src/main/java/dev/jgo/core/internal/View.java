package dev.jgo.core.internal;

import dev.jgo.spi.RuntimeView;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link RuntimeView} over a {@link Sched}: reads counters and queue indices racily, takes
 * sched.lock only to copy the M list.
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
            return sched.mcount();
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
        P pp = p(pid);
        return new Counters(
                pp.schedtick, pp.goroutinesCreated, pp.steals, pp.stolenGoroutines, 0, 0, 0, 0, pp.runq.overflows);
    }

    /** Sums the per-P counters and adds the per-M ones (spins, parks, unparks, empty wake-ups). */
    @Override
    public Counters counters() {
        Counters c = new Counters(0, sched.externalCreated.get(), 0, 0, 0, 0, 0, 0, 0);
        for (int i = 0; i < sched.allp.length; i++) {
            c = c.plus(counters(i));
        }
        for (M m : ms()) {
            c = c.plus(new Counters(0, 0, 0, 0, m.spins, m.mParks, m.mUnparks, m.emptyWakeups, 0));
        }
        return c;
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
                    .append(sched.mcount())
                    .append(" spinningthreads=")
                    .append(sched.nmspinning.get())
                    .append(" idlethreads=")
                    .append(sched.nmidle)
                    .append(" runqueue=")
                    .append(sched.runq.size());
            if (!detailed) {
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
            }
        } finally {
            sched.lock.unlock();
        }
        return sb.toString();
    }
}
