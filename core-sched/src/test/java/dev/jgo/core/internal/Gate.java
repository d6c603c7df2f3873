package dev.jgo.core.internal;

import dev.jgo.Go;
import dev.jgo.Goroutine;
import dev.jgo.WaitReason;
import dev.jgo.spi.Carrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A one-shot gate for tests: the waiter parks until {@link #open}. Built only on the park/ready
 * SPI, with Go's protocol: the waiter publishes itself in park's unlock function (after it is
 * off its carrier), so {@link #open} can never ready a goroutine that is not parked yet.
 */
final class Gate {
    private static final Object OPEN = new Object();
    private final AtomicReference<Object> state = new AtomicReference<>(); // null, waiter G, or OPEN

    void await() {
        if (state.get() == OPEN) {
            return;
        }
        Goroutine me = Go.current();
        Carrier.current().park(WaitReason.PARKED, this, (g, l) -> ((Gate) l).state.compareAndSet(null, g));
        if (state.get() != OPEN) {
            throw new IllegalStateException("gate: woken while closed, waiter " + me.id());
        }
    }

    void open() {
        Object prev = state.getAndSet(OPEN);
        if (prev instanceof Goroutine g) {
            Carrier.current().ready(g);
        }
    }
}
