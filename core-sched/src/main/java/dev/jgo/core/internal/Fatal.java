package dev.jgo.core.internal;

import dev.jgo.DeadlockException;
import java.util.concurrent.CompletableFuture;

/**
 * What ends a runtime or reports on its end: a deadlock (Go's {@code checkdead}, with the
 * goroutine dump of its message), a goroutine's unhandled exception (Go's unrecovered panic), a
 * failure of the runtime's own threads, and close's report of the goroutines it abandoned.
 */
final class Fatal {

    private Fatal() {}

    /**
     * close: the one report of the goroutines close abandoned, through {@link Sched#LOG} at WARNING:
     * how many, and where they wait ("3 chan receive, 1 syscall"), with the count of those that
     * threw after close began; nothing when none is left. Also withdraws their preempt requests,
     * so no JVM-wide pending-preemption count survives the runtime ({@link
     * dev.jgo.spi.Carrier#preemptPending}).
     *
     * <p>Concurrency: close, after the Ms ended (or were given up on).
     */
    static void reportLeftovers(Sched sched) {
        java.util.Map<String, Integer> where = new java.util.TreeMap<>();
        int[] n = {0};
        sched.allgs.forEach(gp -> {
            gp.clearPreempt(); // invariant: a closed runtime leaves no preempt request counted
            int st = gp.readgstatus();
            if (st == G.DEAD || st == G.IDLE) {
                return;
            }
            n[0]++;
            String w = st == G.WAITING ? gp.waitreason.text() : G.statusName(st).toLowerCase(java.util.Locale.ROOT);
            where.merge(w.isEmpty() ? "waiting" : w, 1, Integer::sum);
        });
        int threw = sched.panicsAfterClose.get();
        if (n[0] == 0 && threw == 0) {
            return;
        }
        StringBuilder sb = new StringBuilder("jgo: runtime '")
                .append(sched.name)
                .append("' closed with ")
                .append(n[0])
                .append(n[0] == 1 ? " goroutine" : " goroutines")
                .append(" left (abandoned)");
        String sep = ": ";
        for (var e : where.entrySet()) {
            sb.append(sep).append(e.getValue()).append(' ').append(e.getKey());
            sep = ", ";
        }
        if (threw > 0) {
            sb.append("; ").append(threw).append(" more ended with an exception after close began");
        }
        Sched.LOG.log(System.Logger.Level.WARNING, sb.toString());
    }

    /**
     * Port of runtime.checkdead: if every M is idle, no goroutine is runnable and nothing outside
     * the scheduler can wake one, then no pending {@code run} can ever return: fail them with
     * {@link DeadlockException}.
     *
     * <p>Concurrency: requires sched.lock.
     */
    static void checkdead(Sched sched) {
        assert sched.lock.isHeld();
        if (sched.mains.isEmpty() || sched.shutdown || sched.fatal != null || sched.gcwaiting()) {
            return; // (while the world is stopped the Ms are idle on purpose)
        }
        int run = Ms.mcount(sched) - sched.nmidle - sched.npinned - sched.nmidlelocked;
        if (run > 0) {
            return;
        }
        if (run < 0) {
            throw new IllegalStateException(
                    "checkdead: inconsistent counts mcount=" + Ms.mcount(sched) + " nmidle=" + sched.nmidle);
        }
        if (sched.wakers.get() > 0 || !sched.runq.isEmpty()) {
            return;
        }
        if (sched.synctest.allBlocked()) { // every goroutine durably blocked: see Synctest "Virtual time"
            return;
        }
        if (Timers.pending(sched)) { // timers: a live timer can still wake a goroutine
            return;
        }
        for (P pp : sched.allp) {
            if (!pp.runq.runqempty()) {
                return;
            }
        }
        DeadlockException e = new DeadlockException(null, goroutineDump(sched)); // as Go's fatal error
        for (CompletableFuture<Object> f : sched.mains) {
            sched.mains.remove(f);
            f.completeExceptionally(e);
        }
    }

    /**
     * The debug=2 dump of every goroutine, for {@link DeadlockException}'s message. Reads no lock
     * (the goroutine snapshot takes each G's scan bit), so sched.lock may be held. Concurrency:
     * any thread.
     */
    static String goroutineDump(Sched sched) {
        try {
            return dev.jgo.spi.Traceback.dump(sched.rt.view().goroutines(), System.nanoTime());
        } catch (RuntimeException ex) {
            return "(goroutine dump failed: " + ex + ")\n"; // the deadlock is reported anyway
        }
    }

    /**
     * Ends the runtime after a goroutine threw and no handler is set (Go: an unrecovered panic
     * exits the program): reports the panic and its stack as Go does, through {@link Sched#LOG};
     * fails every pending {@code run} with the exception, and makes every M exit at its next
     * schedule.
     *
     * <p>After close began ({@link Sched#shutdown}) the goroutines left are being abandoned and what
     * they throw is a consequence of the close ("cannot sleep: runtime is closed", an interrupted
     * {@code Go.blocking} call): it is counted for close's one report, never printed as a panic.
     *
     * <p>Concurrency: any thread; must not hold sched.lock.
     */
    static void die(Sched sched, G gp, Throwable t) {
        if (sched.shutdown) {
            sched.panicsAfterClose.incrementAndGet();
            return;
        }
        synchronized (sched) {
            if (sched.fatal != null) {
                return;
            }
            sched.fatal = t;
        }
        // Go's report of an unrecovered panic, through the runtime's logger (with the stack)
        String msg = "panic: " + t + (gp != null ? "\n\ngoroutine " + gp.goid + " [running]:" : "");
        Sched.LOG.log(System.Logger.Level.ERROR, msg, t);
        for (CompletableFuture<Object> f : sched.mains) {
            sched.mains.remove(f);
            f.completeExceptionally(t);
        }
        Ms.wakeAllIdle(sched);
    }

    /**
     * Ends the runtime after a failure of its own threads (an M's schedule loop, sysmon): not a
     * goroutine's panic but a broken invariant or an error the runtime could not absorb. Reported
     * once through {@link Sched#LOG} with its cause; every pending {@code run} fails with it, so it is
     * never a silent stop or a hang. Quiet after close began, when the threads are ending anyway.
     *
     * <p>Concurrency: any thread; must not hold sched.lock.
     */
    static void fail(Sched sched, String where, Throwable t) {
        if (sched.shutdown) {
            return;
        }
        synchronized (sched) {
            if (sched.fatal != null) {
                return;
            }
            sched.fatal = t;
        }
        Sched.LOG.log(
                System.Logger.Level.ERROR,
                "jgo: runtime '" + sched.name + "' ended by an internal failure in " + where + ": " + t,
                t);
        for (CompletableFuture<Object> f : sched.mains) {
            sched.mains.remove(f);
            f.completeExceptionally(t);
        }
        Ms.wakeAllIdle(sched);
    }
}
