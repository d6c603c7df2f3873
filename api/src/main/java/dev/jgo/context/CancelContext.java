package dev.jgo.context;

/**
 * A context that can be cancelled: made by {@link Context#withCancel}, {@link
 * Context#withTimeout} and {@link Context#withDeadline}. Go returns a {@code CancelFunc} beside
 * the context; here the context carries it.
 *
 * <pre>{@code
 * CancelContext ctx = Context.withCancel(parent);
 * for (int i = 0; i < 4; i++) {
 *     Go.go(() -> worker(ctx)); // each returns once ctx.done() is closed
 * }
 * ...
 * ctx.cancel(); // every worker's ctx.done() is closed before this returns
 * }</pre>
 *
 * <h2>Design note: Cancellation trees</h2>
 *
 * <p>Problem: cancelling a context must close the {@code done()} channel of every descendant,
 * however deep, before {@code cancel()} returns; a long-lived parent must not keep its finished
 * children reachable; and all this without a goroutine or thread per context.
 *
 * <p>Rejected: a watcher goroutine per child waiting on its parent's channel (Go does this only
 * for contexts it does not know; one per child costs a goroutine each and the closing is not
 * finished when {@code cancel()} returns); weak references from parent to child (a child the
 * user dropped but a goroutine still waits on must still be cancelled, and its channel is all
 * that goroutine holds).
 *
 * <p>Protocol (Go's {@code propagateCancel}, {@code cancelCtx.cancel}, {@code removeChild}):
 *
 * <ol>
 *   <li>A new cancellable child asks its parent for the nearest cancellable ancestor ({@code
 *       parent.value(KEY)}, so a user-written context that delegates {@code value()} is seen
 *       through). If that ancestor's channel is the parent's {@code done()}, the child is added to
 *       the ancestor's {@code children} under its lock, or cancelled at once if the ancestor
 *       already is. A parent whose {@code done()} is the nil channel is never cancelled: nothing
 *       to do. Otherwise (a foreign channel) one watcher goroutine selects on the parent's and the
 *       child's channels, and ends when either closes.
 *   <li>{@code cancel}: under the lock, record the error (first cancel wins) and take the
 *       children set; after the unlock, close {@code done()}, then do the same to each child,
 *       iteratively (a deep chain does not grow the stack), then remove the context from its
 *       parent's {@code children}. The error is recorded before the channel closes, so whoever
 *       sees it closed reads a non-null {@code err()}.
 *   <li>A child added after its ancestor took the set sees the recorded error under the same
 *       lock (step 1) and is cancelled by its creator.
 * </ol>
 *
 * <p>Lock order: a context's lock is a leaf; no channel operation and no other lock inside it.
 */
public interface CancelContext extends Context {
    /**
     * Go's {@code CancelFunc}: cancels this context and every descendant, with {@link
     * Context#CANCELED}, stops its timer, and detaches it from its parent. Idempotent: later calls
     * do nothing. May be called from any thread.
     */
    void cancel();
}
