package dev.patchbay.firewall.host;

import dev.patchbay.host.metrics.MetricsSink;
import dev.patchbay.host.metrics.MetricsSource;
import org.osgi.service.component.annotations.Component;

/** The firewall host service's number for the daemon's metrics: the owners drift repair re-applied ({@link DriftRepair}). */
@Component(service = MetricsSource.class)
public final class FirewallMetrics implements MetricsSource {
    @Override
    public void collect(MetricsSink sink) {
        sink.repairs("firewall", DriftRepair.REPAIRS.sum());
    }
}
