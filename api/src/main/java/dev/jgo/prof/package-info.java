/**
 * Go's {@code runtime/pprof} and {@code runtime/trace} for jgo: CPU and goroutine profiles in
 * pprof's format, profiler labels, and an execution trace in Chrome's trace-event JSON (opened by
 * Perfetto). The implementation is the {@code jgo-profiler} module, found with {@link
 * java.util.ServiceLoader} through {@link dev.jgo.spi.ProfilerProvider}.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.jgo.prof;
