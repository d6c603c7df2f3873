package dev.jgo.context;

import dev.jgo.Go;
import dev.jgo.spi.SpinLock;
import dev.jgo.sync.Chan;
import dev.jgo.sync.RecvChan;
import dev.jgo.sync.Select;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Go's {@code cancelCtx}: see {@link CancelContext}, "Design note: Cancellation trees".
 *
 * <p>Fields: {@code err} and {@code cause} are written under {@link #lock} and read without it
 * (volatile); {@code children} is guarded by the lock.
 */
class CancelCtx implements CancelContext {

    /** Go's {@code &cancelCtxKey}: {@code value(KEY)} returns the nearest CancelCtx. */
    static final Object KEY = new Object() {
        @Override
        public String toString() {
            return "cancelCtxKey";
        }
    };

    final Context parent;
    private final Chan<Object> done = Chan.make(0);
    final SpinLock lock = new SpinLock();

    /** Null while live; set once, under lock, before done is closed. */
    private volatile Throwable err;

    private volatile Throwable cause;

    /** Cancellable children (CancelCtx or watcher), or null when none. Guarded by lock. */
    private Set<CancelCtx> children;

    CancelCtx(Context parent) {
        this.parent = parent;
    }

    /**
     * Port of context.(*cancelCtx).propagateCancel: arranges for {@code child} to be cancelled
     * when {@code parent} is (note step 1).
     *
     * <p>Concurrency: any thread; a goroutine when the parent's channel is foreign.
     */
    static void propagateCancel(Context parent, CancelCtx child) {
        RecvChan<?> pdone = parent.done();
        if (pdone == Chan.nil()) {
            return; // parent is never cancelled
        }
        if (pdone.tryRecv() != null) {
            child.cancel(false, parent.err(), Context.cause(parent)); // parent is already cancelled
            return;
        }
        if (parent.value(KEY) instanceof CancelCtx p && p.done == pdone) {
            Throwable perr;
            p.lock.lock();
            try {
                perr = p.err;
                if (perr == null) {
                    if (p.children == null) {
                        p.children = new HashSet<>();
                    }
                    p.children.add(child);
                }
            } finally {
                p.lock.unlock();
            }
            if (perr != null) {
                child.cancel(false, perr, p.cause); // cancelled meanwhile (note step 3)
            }
            return;
        }
        // A foreign done channel: one watcher goroutine, ending with either context.
        Go.go(() -> Select.create()
                .recv(pdone, v -> child.cancel(false, parent.err(), Context.cause(parent)))
                .recv(child.done, v -> {})
                .select());
    }

    /**
     * Port of context.removeChild: detaches {@code child} from its nearest cancellable ancestor.
     *
     * <p>Concurrency: any thread; takes that ancestor's lock.
     */
    static void removeChild(Context parent, CancelCtx child) {
        if (!(parent.value(KEY) instanceof CancelCtx p)) {
            return;
        }
        p.lock.lock();
        try {
            if (p.children != null) {
                p.children.remove(child);
                if (p.children.isEmpty()) {
                    p.children = null; // drop the table too: it never shrinks
                }
            }
        } finally {
            p.lock.unlock();
        }
    }

    /**
     * Records the cancellation and takes the children (note step 2). Returns null if this
     * context was already cancelled, else the children (possibly empty).
     *
     * <p>Concurrency: any thread; takes lock.
     */
    private Set<CancelCtx> markCanceled(Throwable e, Throwable c) {
        lock.lock();
        try {
            if (err != null) {
                return null; // already cancelled
            }
            cause = c;
            err = e; // volatile: published before done closes
            Set<CancelCtx> kids = children;
            children = null;
            return kids == null ? Set.of() : kids;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Port of context.(*cancelCtx).cancel: closes done for this context and every descendant,
     * then, if {@code removeFromParent}, detaches this context from its parent.
     *
     * <p>Concurrency: any thread.
     */
    void cancel(boolean removeFromParent, Throwable e, Throwable c) {
        Objects.requireNonNull(e, "context: internal error: missing cancel error");
        if (c == null) {
            c = e;
        }
        ArrayDeque<CancelCtx> work = new ArrayDeque<>();
        work.add(this);
        for (CancelCtx x; (x = work.poll()) != null; ) {
            Set<CancelCtx> kids = x.markCanceled(e, c);
            if (kids == null) {
                continue;
            }
            x.done.close();
            x.canceled();
            work.addAll(kids); // the children's own removeFromParent is moot: we took the set
        }
        if (removeFromParent) {
            removeChild(parent, this);
        }
    }

    /** Called once, after done closed: a timer context stops its timer. */
    void canceled() {}

    Throwable cause() {
        return cause;
    }

    /** Children attached now (tests). Concurrency: any thread; takes lock. */
    int childCount() {
        lock.lock();
        try {
            return children == null ? 0 : children.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cancel() {
        cancel(true, Context.CANCELED, null);
    }

    @Override
    public RecvChan<?> done() {
        return done;
    }

    @Override
    public Throwable err() {
        return err;
    }

    @Override
    public Optional<Instant> deadline() {
        return ValueCtx.deadlineOf(parent);
    }

    @Override
    public Object value(Object key) {
        Objects.requireNonNull(key, "nil key");
        return ValueCtx.lookup(this, key);
    }

    @Override
    public String toString() {
        return parent + ".WithCancel";
    }
}
