/**
 * Guice integration: {@link dev.jgo.guice.JgoModule} binds a {@link dev.jgo.GoRuntime} singleton
 * and its policies, each overridable.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.jgo.guice;
