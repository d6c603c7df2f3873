/**
 * Go's {@code context} package: cancellation, deadlines and request-scoped values that flow down
 * a tree of {@link dev.jgo.context.Context}s. Cancelling a context closes the {@link
 * dev.jgo.context.Context#done()} channel of it and of every descendant; deadlines ride on the
 * runtime's timers.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.jgo.context;
