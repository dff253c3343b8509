/**
 * The daemon's metrics, as bundles contribute to them: a bundle registers a {@link dev.patchbay.host.metrics.MetricsSource}
 * service, and the daemon's launcher asks each at every scrape, handing it a {@link dev.patchbay.host.metrics.MetricsSink}
 * that turns its numbers into the daemon's Prometheus families. Exported by the system bundle (the launcher's class path),
 * so bundles need no metrics library and the launcher no bundle's types.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.patchbay.host.metrics;
