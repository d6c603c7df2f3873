/**
 * JUnit 5 support: {@link dev.jgo.junit.GoTest} runs a test method as the main goroutine of a
 * fresh runtime, with virtual time and a seed that reproduces its schedule.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.jgo.junit;
