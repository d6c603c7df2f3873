package dev.jgo.spi;

/**
 * Attaches {@link SchedEvents} listeners to a running runtime (the execution tracer), besides the
 * one fixed by {@link RuntimeConfig#events()}. A runtime that supports it implements this
 * interface; with no listener attached and none configured, each event site costs one
 * predictable branch.
 */
public interface EventsControl {

    /** Adds {@code listener}; it sees events from some point during this call on. Concurrency: any thread. */
    void attachEvents(SchedEvents listener);

    /**
     * Removes {@code listener}. An event that started before this call may still reach it after
     * the call returns, so a listener must tolerate late events. Concurrency: any thread.
     *
     * @return whether it was attached
     */
    boolean detachEvents(SchedEvents listener);
}
