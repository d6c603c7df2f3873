package dev.jgo;

/**
 * Why a goroutine is waiting: the text is Go's {@code waitReason} string, as printed in a
 * goroutine dump ({@code goroutine 18 [chan receive]:}).
 */
public enum WaitReason {
    ZERO(""),
    CHAN_RECEIVE("chan receive"),
    CHAN_RECEIVE_NIL_CHAN("chan receive (nil chan)"),
    CHAN_SEND("chan send"),
    CHAN_SEND_NIL_CHAN("chan send (nil chan)"),
    SELECT("select"),
    SELECT_NO_CASES("select (no cases)"),
    SLEEP("sleep"),
    /** In {@link Go#awaitBlocked()} (Go's {@code waitReasonSynctestWait}). */
    SYNCTEST_WAIT("synctest.Wait"),
    SEMACQUIRE("semacquire"),
    SYNC_MUTEX_LOCK("sync.Mutex.Lock"),
    SYNC_RWMUTEX_LOCK("sync.RWMutex.Lock"),
    SYNC_RWMUTEX_RLOCK("sync.RWMutex.RLock"),
    SYNC_WAITGROUP_WAIT("sync.WaitGroup.Wait"),
    SYNC_COND_WAIT("sync.Cond.Wait"),
    IO_WAIT("IO wait"),
    TIMER_GOROUTINE_IDLE("timer goroutine (idle)"),
    PREEMPTED("preempted"),
    STOPPING_THE_WORLD("stopping the world"),
    /** Parked by code outside jgo's own primitives, through {@link dev.jgo.spi.Carrier#park}. */
    PARKED("parked"),
    /**
     * A JDK virtual thread of the runtime ({@code GoRuntime.virtualThreadBuilder()}) parked by the
     * JDK (a lock, a socket, {@code LockSupport.park}): its {@code Thread.State} is WAITING.
     */
    VIRTUAL_WAITING("virtual thread WAITING"),
    /** As {@link #VIRTUAL_WAITING} with a timeout ({@code Thread.sleep}): TIMED_WAITING. */
    VIRTUAL_TIMED_WAITING("virtual thread TIMED_WAITING"),
    /** As {@link #VIRTUAL_WAITING} waiting to enter a monitor ({@code synchronized}): BLOCKED. */
    VIRTUAL_BLOCKED("virtual thread BLOCKED");

    private final String text;

    WaitReason(String text) {
        this.text = text;
    }

    /** Go's text for this reason. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
