package dev.jgo.spi;

/**
 * Creates the per-P {@link TimerQueue}s of a runtime. Found with {@link java.util.ServiceLoader}
 * as {@link RuntimeProvider} is: the core takes the factory named by the system property {@value
 * #PROPERTY} if set, else the one with the highest {@link #priority()}. With none on the class
 * path the runtime still works, but {@link dev.jgo.Go#sleep} and {@code dev.jgo.time} throw
 * {@link IllegalStateException}. {@link dev.jgo.GoRuntime.Builder#timerQueueFactory} gives a
 * runtime its factory instead (jgo-osgi passes a bridge to the timer bundle's services).
 */
public interface TimerQueueFactory {

    /** System property naming the timer structure to use ({@code heap} or {@code wheel}). */
    String PROPERTY = "jgo.timers";

    /** The structure's short name, matched against {@value #PROPERTY}. */
    String name();

    /** A queue for P {@code pid}. */
    TimerQueue create(int pid, TimerQueue.Host host);

    /** Higher wins when no name is asked for. */
    default int priority() {
        return 0;
    }
}
