package dev.jgo.bench;

import dev.jgo.GoRuntime;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;

/**
 * A workload of plain blocking Java code on JDK virtual threads, the same on both peers: on {@code
 * jgo} its threads come from {@link GoRuntime#virtualThreadBuilder()} (jgo's Ms and run queues are
 * their scheduler), on {@code vt} from {@link Thread#ofVirtual()} (the JDK's ForkJoinPool).
 */
abstract class VirtualThreadWorkload implements Workload {

    @Override
    public final long runJgo(GoRuntime rt, int n) {
        try {
            return run(rt.virtualThreadBuilder().factory(), n);
        } catch (Exception e) {
            throw new IllegalStateException(name() + " on jgo failed", e);
        }
    }

    @Override
    public final long runVirtual(int n) throws Exception {
        return run(Thread.ofVirtual().factory(), n);
    }

    /** The workload on threads of {@code f}; called from a platform thread. */
    abstract long run(ThreadFactory f, int n) throws Exception;

    /** Runs {@code body} in a new thread of {@code f} and returns its result. */
    static long inThread(ThreadFactory f, Workload.LongBody body) throws Exception {
        FutureTask<Long> task = new FutureTask<>(body::run);
        f.newThread(task).start();
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }
}
