/**
 * Go's {@code net} package for goroutines (TCP): {@link dev.jgo.net.Net#listen}, {@link
 * dev.jgo.net.Net#dial}, {@link dev.jgo.net.Listener} and {@link dev.jgo.net.Conn}. Blocking calls
 * park the goroutine, not the carrier thread; non-blocking channels and the network poller (module
 * jgo-netpoll) run underneath. Every blocking method must be called from a goroutine.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.jgo.net;
