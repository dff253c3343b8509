package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry: requests by command and result with latency buckets, bounded labels, what bundles report. */
class DaemonMetricsTest {

    private static String text(DaemonMetrics m) {
        return new String(m.scrape(), StandardCharsets.UTF_8);
    }

    @Test
    void requestsAreCountedByCommandAndResultWithTheirLatency() {
        DaemonMetrics m = new DaemonMetrics(null);
        m.request("network create", 0, 3_000_000); // 3 ms
        m.request("attach", 0, 40_000_000); // 40 ms
        m.request("attach", 1, 2_000_000_000L); // 2 s
        Map<String, Double> s = PromText.parse(text(m));
        assertEquals(1.0, s.get("patchbay_requests_total{command=\"network create\",result=\"ok\"}"));
        assertEquals(1.0, s.get("patchbay_requests_total{command=\"attach\",result=\"ok\"}"));
        assertEquals(1.0, s.get("patchbay_requests_total{command=\"attach\",result=\"failure\"}"));
        assertEquals(0.0, s.get("patchbay_request_duration_seconds_bucket{command=\"attach\",le=\"0.025\"}"));
        assertEquals(1.0, s.get("patchbay_request_duration_seconds_bucket{command=\"attach\",le=\"0.05\"}"));
        assertEquals(1.0, s.get("patchbay_request_duration_seconds_bucket{command=\"attach\",le=\"1.0\"}"));
        assertEquals(2.0, s.get("patchbay_request_duration_seconds_bucket{command=\"attach\",le=\"2.5\"}"));
        assertEquals(2.0, s.get("patchbay_request_duration_seconds_bucket{command=\"attach\",le=\"+Inf\"}"));
        assertEquals(2.0, s.get("patchbay_request_duration_seconds_count{command=\"attach\"}"));
        assertEquals(2.04, s.get("patchbay_request_duration_seconds_sum{command=\"attach\"}"), 1e-9);
        assertEquals(1.0, s.get("patchbay_request_duration_seconds_bucket{command=\"network create\",le=\"0.005\"}"));
    }

    @Test
    void resultsAreTheExitCodesTableAndCniVerbsAreAFixedSet() {
        assertEquals("ok", DaemonMetrics.result(0));
        assertEquals("failure", DaemonMetrics.result(1));
        assertEquals("usage", DaemonMetrics.result(2));
        assertEquals("environment", DaemonMetrics.result(3));
        assertEquals("internal", DaemonMetrics.result(4));
        assertEquals("error", DaemonMetrics.result(7));
        assertEquals("dropped", DaemonMetrics.result(-1));
        assertEquals("cni ADD", DaemonMetrics.cniLabel("ADD"));
        assertEquals("cni other", DaemonMetrics.cniLabel("ADD; rm -rf /"), "a verb the spec does not have is no label");
        assertEquals("cni other", DaemonMetrics.cniLabel(null));
        assertEquals("other", DaemonMetrics.commandLabel(null), "no command of the tree matched");
    }

    @Test
    void whatBundlesReportBecomesFamilies() {
        MetricsSamples samples = new MetricsSamples();
        samples.network("web", 2);
        samples.addresses("web", "ipv4", 2, 251);
        samples.network("db", 0);
        samples.addresses("db", "ipv4", 0, 253);
        samples.addresses("db", "ipv6", 0, Math.pow(2, 64) - 2);
        samples.firewallBackend("nftables");
        samples.repairs("firewall", 3);
        samples.repairs("links", 0);
        samples.pluginCallFailures("timed_out", 1);
        samples.unsatisfiedComponents(0);
        samples.bundlesNotStarted(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create().write(out, samples.snapshots());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Map<String, Double> s = PromText.parse(out.toString(StandardCharsets.UTF_8));
        assertEquals(2.0, s.get("patchbay_networks"));
        assertEquals(2.0, s.get("patchbay_network_attachments{network=\"web\"}"));
        assertEquals(251.0, s.get("patchbay_network_addresses{family=\"ipv4\",network=\"web\",state=\"free\"}"));
        assertEquals(2.0, s.get("patchbay_network_addresses{family=\"ipv4\",network=\"web\",state=\"used\"}"));
        assertTrue(s.get("patchbay_network_addresses{family=\"ipv6\",network=\"db\",state=\"free\"}") > 1e19);
        assertEquals(1.0, s.get("patchbay_firewall_backend{backend=\"nftables\"}"));
        assertEquals(3.0, s.get("patchbay_repairs_total{kind=\"firewall\"}"));
        assertEquals(1.0, s.get("patchbay_plugin_call_failures_total{reason=\"timed_out\"}"));
        assertEquals(1.0, s.get("patchbay_plugin_problems{kind=\"bundle_not_started\"}"));
        assertEquals(0.0, s.get("patchbay_plugin_problems{kind=\"component_unsatisfied\"}"));
    }

    @Test
    void withNoSourceOnlyTheLaunchersOwnFamiliesAreThere() {
        MetricsSamples samples = new MetricsSamples();
        samples.bundlesNotStarted(0);
        var names = samples.snapshots().stream().map(x -> x.getMetadata().getName()).toList();
        assertEquals(java.util.List.of("patchbay_plugin_problems"), names);
        assertFalse(names.contains("patchbay_networks"), "no networks reported is not zero networks");
    }

    @Test
    void labelValuesOutsideTheirWordsAreRefused() {
        MetricsSamples samples = new MetricsSamples();
        assertThrows(IllegalArgumentException.class, () -> samples.repairs("bridge", 1));
        assertThrows(IllegalArgumentException.class, () -> samples.pluginCallFailures("slow", 1));
        assertThrows(IllegalArgumentException.class, () -> samples.addresses("web", "inet", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> samples.network("web\"} 1\nx", 1));
        assertThrows(IllegalArgumentException.class, () -> samples.firewallBackend(""));
    }
}
