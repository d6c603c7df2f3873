/** Workloads shared by the CLI's {@code bench} and the benchmark reports. */
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.jgo.bench;
