package dev.patchbay.launcher;

import dev.patchbay.host.metrics.MetricsSink;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One scrape's {@link MetricsSink}: what the bundles report, as Prometheus families. The names, help texts and label
 * names are all here; a label value that is not one of the documented words is refused (the series stay bounded). A
 * family nobody reported to is left out, except the plugin problems, which the launcher always counts.
 */
final class MetricsSamples implements MetricsSink {
    private static final Set<String> FAMILIES = Set.of("ipv4", "ipv6");
    private static final Set<String> REPAIRS = Set.of("firewall", "links");
    private static final Set<String> PLUGIN_FAILURES = Set.of("failed", "timed_out");

    private final Map<String, Integer> attachments = new LinkedHashMap<>();
    private final Map<Labels, Double> addresses = new LinkedHashMap<>();
    private final Map<String, Long> repairs = new LinkedHashMap<>();
    private final Map<String, Long> pluginFailures = new LinkedHashMap<>();
    private String backend;
    private Integer unsatisfied;
    private int bundlesNotStarted;
    private boolean reported;

    @Override
    public void network(String name, int count) {
        reported = true;
        attachments.put(name(name, "network"), count);
    }

    @Override
    public void addresses(String network, String family, double used, double free) {
        reported = true;
        String n = name(network, "network");
        String f = word(family, FAMILIES, "family");
        addresses.put(Labels.of("family", f, "network", n, "state", "used"), used);
        addresses.put(Labels.of("family", f, "network", n, "state", "free"), free);
    }

    @Override
    public void firewallBackend(String name) {
        reported = true;
        backend = name(name, "backend");
    }

    @Override
    public void repairs(String kind, long total) {
        reported = true;
        repairs.put(word(kind, REPAIRS, "kind"), total);
    }

    @Override
    public void pluginCallFailures(String reason, long total) {
        reported = true;
        pluginFailures.put(word(reason, PLUGIN_FAILURES, "reason"), total);
    }

    @Override
    public void unsatisfiedComponents(int count) {
        reported = true;
        unsatisfied = count;
    }

    /** Counted by the launcher itself: installed bundles (not fragments) that are not active. */
    void bundlesNotStarted(int count) {
        bundlesNotStarted = count;
    }

    MetricSnapshots snapshots() {
        List<MetricSnapshot> out = new ArrayList<>();
        if (reported) {
            out.add(gauge("patchbay_networks", "Networks in the daemon's state directory.", Map.of(Labels.EMPTY, (double) attachments.size())));
            Map<Labels, Double> perNetwork = new LinkedHashMap<>();
            attachments.forEach((n, c) -> perNetwork.put(Labels.of("network", n), (double) c));
            out.add(gauge("patchbay_network_attachments", "Attachments a network records.", perNetwork));
            out.add(gauge("patchbay_network_addresses", "Addresses of a network's ranges, used (reserved) or free (still to hand out).", addresses));
            if (backend != null) {
                out.add(gauge("patchbay_firewall_backend", "The firewall backend in use in the daemon's namespace (1).",
                        Map.of(Labels.of("backend", backend), 1.0)));
            }
            out.add(counter("patchbay_repairs", "Repairs the daemon made: firewall owners re-applied, links and addresses made again.",
                    "kind", repairs));
            out.add(counter("patchbay_plugin_call_failures", "Calls into network plugins that failed or passed their deadline.",
                    "reason", pluginFailures));
        }
        Map<Labels, Double> problems = new LinkedHashMap<>();
        problems.put(Labels.of("kind", "bundle_not_started"), (double) bundlesNotStarted);
        if (unsatisfied != null) {
            problems.put(Labels.of("kind", "component_unsatisfied"), (double) unsatisfied);
        }
        out.add(gauge("patchbay_plugin_problems", "Bundles installed but not started, and components not satisfied, now.", problems));
        return new MetricSnapshots(out);
    }

    private static GaugeSnapshot gauge(String name, String help, Map<Labels, Double> points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        points.forEach((labels, v) -> b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(v).build()));
        return b.build();
    }

    private static CounterSnapshot counter(String name, String help, String label, Map<String, Long> points) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        points.forEach((word, v) -> b.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of(label, word)).value(v).build()));
        return b.build();
    }

    private static String word(String value, Set<String> allowed, String label) {
        if (!allowed.contains(value)) {
            throw new IllegalArgumentException("metrics label " + label + " \"" + value + "\": expected one of " + allowed);
        }
        return value;
    }

    /** A network's or backend's name: what the orchestrator already validated, checked again for the label's sake. */
    private static String name(String value, String label) {
        if (value == null || !value.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("metrics label " + label + " \"" + value + "\": not a name");
        }
        return value;
    }
}
