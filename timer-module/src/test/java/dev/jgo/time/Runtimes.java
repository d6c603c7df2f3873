package dev.jgo.time;

import dev.jgo.GoRuntime;
import dev.jgo.spi.TimerQueueFactory;

/** Builds runtimes on a chosen timer structure ({@code -Djgo.timers}). */
final class Runtimes {
    private Runtimes() {}

    static synchronized GoRuntime build(int procs, String timers) {
        String old = System.getProperty(TimerQueueFactory.PROPERTY);
        System.setProperty(TimerQueueFactory.PROPERTY, timers);
        try {
            return GoRuntime.builder().procs(procs).build();
        } finally {
            if (old == null) {
                System.clearProperty(TimerQueueFactory.PROPERTY);
            } else {
                System.setProperty(TimerQueueFactory.PROPERTY, old);
            }
        }
    }
}
