package dev.jgo.core.internal;

import dev.jgo.WaitReason;
import dev.jgo.spi.SchedEvents;
import java.util.ArrayList;
import java.util.List;

/**
 * The listeners of one runtime: the one fixed by the configuration plus those attached while it
 * runs ({@link dev.jgo.spi.EventsControl}), folded into the single {@link Sched#events} slot.
 *
 * <h2>Design note: attaching a tracer</h2>
 *
 * Go's tracer is switched on at run time ({@code trace.Start}) and each event site tests {@code
 * traceEnabled()}. jgo's sites test {@code sched.events}, which was fixed at build time. Rejected:
 * always installing a dispatcher (a megamorphic call per event when nobody listens) and a
 * separate "enabled" flag beside the listener (two loads, and a window where they disagree).
 * Chosen:
 *
 * <ol>
 *   <li>{@link Sched#events} is a volatile slot holding null (no listener), the one listener, or
 *       a {@link Fanout} of several. With nothing attached the cost stays one load and one
 *       predictable branch; a volatile load is a plain load on x86 and an {@code ldar} on ARM.
 *   <li>Each site reads the slot once ({@code instanceof} binding), so a detach between the test
 *       and the call cannot cause a NullPointerException; the event then reaches the detached
 *       listener once more, which {@link dev.jgo.spi.EventsControl#detachEvents} allows.
 *   <li>Attach and detach rebuild the value under this object's monitor and publish it with the
 *       volatile store; no scheduler lock is taken.
 * </ol>
 */
final class EventsMux {
    private final Sched sched;
    private final SchedEvents configured;
    private final List<SchedEvents> attached = new ArrayList<>();

    EventsMux(Sched sched) {
        this.sched = sched;
        this.configured = sched.events;
    }

    /** Concurrency: any thread. */
    synchronized void attach(SchedEvents l) {
        attached.add(l);
        publish();
    }

    /** Concurrency: any thread. */
    synchronized boolean detach(SchedEvents l) {
        boolean removed = attached.remove(l);
        publish();
        return removed;
    }

    private void publish() {
        List<SchedEvents> all = new ArrayList<>();
        if (configured != null) {
            all.add(configured);
        }
        all.addAll(attached);
        sched.events = switch (all.size()) { // volatile store: step 3
            case 0 -> null;
            case 1 -> all.get(0);
            default -> new Fanout(all.toArray(SchedEvents[]::new));
        };
    }

    /** Calls every listener in order. */
    private record Fanout(SchedEvents[] ls) implements SchedEvents {
        @Override
        public void goCreate(long goid, long parentGoid, int pid) {
            for (SchedEvents l : ls) {
                l.goCreate(goid, parentGoid, pid);
            }
        }

        @Override
        public void goStart(long goid, int pid, int mid) {
            for (SchedEvents l : ls) {
                l.goStart(goid, pid, mid);
            }
        }

        @Override
        public void goPark(long goid, WaitReason reason, int pid) {
            for (SchedEvents l : ls) {
                l.goPark(goid, reason, pid);
            }
        }

        @Override
        public void goUnpark(long goid, int pid) {
            for (SchedEvents l : ls) {
                l.goUnpark(goid, pid);
            }
        }

        @Override
        public void goYield(long goid, int pid) {
            for (SchedEvents l : ls) {
                l.goYield(goid, pid);
            }
        }

        @Override
        public void goSyscall(long goid, boolean enter, int pid) {
            for (SchedEvents l : ls) {
                l.goSyscall(goid, enter, pid);
            }
        }

        @Override
        public void goExit(long goid, int pid) {
            for (SchedEvents l : ls) {
                l.goExit(goid, pid);
            }
        }

        @Override
        public void procStart(int pid, int mid) {
            for (SchedEvents l : ls) {
                l.procStart(pid, mid);
            }
        }

        @Override
        public void procStop(int pid, int mid) {
            for (SchedEvents l : ls) {
                l.procStop(pid, mid);
            }
        }

        @Override
        public void steal(int thiefPid, int victimPid, int count) {
            for (SchedEvents l : ls) {
                l.steal(thiefPid, victimPid, count);
            }
        }

        @Override
        public void spin(int mid, int pid, boolean start) {
            for (SchedEvents l : ls) {
                l.spin(mid, pid, start);
            }
        }
    }
}
