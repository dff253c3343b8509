package dev.patchbay.host.metrics;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A bundle's numbers for the daemon's metrics, read at each scrape (never per request): a source reads what it keeps
 * anyway (records, counters) and reports it to the sink. It must be quick and must not change anything; an exception is
 * logged by the daemon and the scrape goes on without this source.
 */
@ConsumerType
public interface MetricsSource {
    /** Reports the current numbers to {@code sink}; called on the scraping thread, one scrape at a time. */
    void collect(MetricsSink sink);
}
