/**
 * jgo-safepoint: stop-the-world, forEachP and GOMAXPROCS changes (Go's {@code worldsema},
 * {@code stopTheWorldWithSema}, {@code forEachP}, {@code freezetheworld}), driving the core only
 * through {@link dev.jgo.spi.ProcControl}. Found by {@link java.util.ServiceLoader} as a {@link
 * dev.jgo.spi.SafepointCoordinator.Provider}.
 */
package dev.jgo.safepoint.internal;
