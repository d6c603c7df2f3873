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
    PARKED("parked");

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
