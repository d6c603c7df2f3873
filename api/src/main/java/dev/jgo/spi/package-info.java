/**
 * Service interfaces between jgo's modules: the runtime provider, the goroutine-side scheduler
 * view used by {@code dev.jgo.sync} and the other subsystems, and the swappable scheduling
 * policies.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.jgo.spi;
