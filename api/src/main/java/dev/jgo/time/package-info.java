/**
 * Go's {@code time} package for goroutines: {@link dev.jgo.time.Time#after}, timers and tickers
 * on the runtime's per-P timer queues (the timer module). Every method must be called from a
 * goroutine.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.jgo.time;
