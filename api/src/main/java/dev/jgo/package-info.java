/**
 * jgo's user API: {@link dev.jgo.GoRuntime} runs goroutines, {@link dev.jgo.Go} is what a
 * goroutine calls on itself.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.jgo;
