package dev.jgo.core.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgo.GoRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * startm's choice of an idle M (mget) leaves the M that waits for the next timer ({@code
 * sched.timerWaiter}) parked while another idle M exists, as Go's M blocked in {@code
 * netpoll(delay)} is not on the idle list. Before, mget took the top of the list, often the
 * timer waiter (the last M to go idle); it then ran the new work and the wait for the timers of
 * the idle Ps was dropped (the other idle Ms sleep without a deadline) until sysmon noticed an
 * overdue timer, up to its 10 ms sleep later.
 */
@Timeout(60)
class IdleMTimerWaiterTest {

    @Test
    void mgetLeavesTheTimerWaiterParked() throws Exception {
        try (GoRuntime rt = GoRuntime.builder().procs(2).build()) {
            rt.run(() -> null);
            Sched s = ((CoreRuntime) rt).sched();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (rt.view().idleThreads() < 2) { // both Ms parked on the idle list
                assertTrue(System.nanoTime() < deadline, "the runtime's Ms did not go idle");
                rt.run(() -> null);
                Thread.sleep(10);
            }
            for (int round = 0; round < 1_000; round++) {
                s.lock.lock();
                try {
                    M a = Ms.mget(s);
                    M b = Ms.mget(s);
                    assertNotNull(b, "two idle Ms");
                    Ms.mput(s, b);
                    Ms.mput(s, a); // the list is a, b: a on top, as the M that went idle last
                    s.timerWaiter = a;
                    s.pollUntil = Long.MAX_VALUE;
                    M got;
                    try {
                        got = Ms.mget(s);
                    } finally {
                        s.timerWaiter = null;
                        s.pollUntil = 0;
                    }
                    assertNotSame(a, got, "mget handed out the M waiting for the next timer");
                    assertSame(b, got);
                    Ms.mput(s, got);
                } finally {
                    s.lock.unlock();
                }
            }
        }
    }
}
