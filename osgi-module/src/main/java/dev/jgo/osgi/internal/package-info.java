/**
 * OSGi Declarative Services components of jgo (not exported): the {@code dev.jgo.GoRuntime}
 * service and the binding of policy services. Design: {@code docs/osgi.md}.
 */
package dev.jgo.osgi.internal;
