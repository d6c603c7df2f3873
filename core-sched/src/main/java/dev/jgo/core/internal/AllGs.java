package dev.jgo.core.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * Go's {@code allgs}: every G ever allocated by this runtime, for snapshots (the goroutine
 * profile). G objects are reused through the free lists and never freed while the runtime lives,
 * so the registry only grows, as Go's does.
 *
 * <h2>Design note: allgs without allglock</h2>
 *
 * Go appends under {@code allglock}. Here an append is one {@code getAndIncrement} of a counter
 * and one release store into a chunk of 4096 slots, since {@code newproc1} runs on every P
 * concurrently and a lock would serialise goroutine creation whenever the free lists are empty.
 *
 * <ol>
 *   <li>{@link #add} reserves index {@code i} (atomic increment), creates chunk {@code i >>
 *       CHUNK_SHIFT} if missing (CAS; a loser uses the winner's chunk), then stores the G with
 *       release semantics.
 *   <li>{@link #forEach} reads the count (acquire), then every slot below it; a slot still null
 *       belongs to an append in progress and is skipped (that G is not running yet).
 * </ol>
 */
final class AllGs {
    private static final int CHUNK_SHIFT = 12;
    private static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_SIZE - 1;
    /** Up to 2^12 chunks of 2^12: 16M distinct G objects. */
    private static final int MAX_CHUNKS = 1 << 12;

    private final AtomicInteger count = new AtomicInteger();
    private final AtomicReferenceArray<AtomicReferenceArray<G>> chunks = new AtomicReferenceArray<>(MAX_CHUNKS);

    /**
     * Port of runtime.allgadd: records a freshly allocated G.
     *
     * <p>Concurrency: any thread.
     */
    void add(G gp) {
        int i = count.getAndIncrement();
        int c = i >>> CHUNK_SHIFT;
        if (c >= MAX_CHUNKS) {
            return; // beyond 16M distinct Gs a snapshot misses the rest; scheduling is unaffected
        }
        AtomicReferenceArray<G> chunk = chunks.get(c); // volatile read: pairs with the CAS below
        if (chunk == null) {
            AtomicReferenceArray<G> fresh = new AtomicReferenceArray<>(CHUNK_SIZE);
            chunk = chunks.compareAndExchange(c, null, fresh);
            if (chunk == null) {
                chunk = fresh;
            }
        }
        chunk.setRelease(i & CHUNK_MASK, gp); // release: pairs with the acquire in forEach
    }

    /** Gs recorded so far (an upper bound while appends are in progress). */
    int size() {
        return Math.min(count.get(), MAX_CHUNKS * CHUNK_SIZE);
    }

    /**
     * Calls {@code f} for every recorded G.
     *
     * <p>Concurrency: any thread; Gs appended during the call may or may not be visited.
     */
    void forEach(Consumer<G> f) {
        int n = size();
        for (int i = 0; i < n; i++) {
            AtomicReferenceArray<G> chunk = chunks.get(i >>> CHUNK_SHIFT);
            if (chunk == null) {
                continue;
            }
            G gp = chunk.getAcquire(i & CHUNK_MASK); // acquire: pairs with add's release
            if (gp != null) {
                f.accept(gp);
            }
        }
    }
}
