package dev.patchbay.launcher;

import dev.patchbay.host.metrics.MetricsSource;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The daemon's metrics, in one Prometheus registry: requests by command and result and their latency (counted here, as
 * each ends: two lookups of a label set, no text), and at each scrape what the bundles report through their
 * {@link MetricsSource} services ({@link MetricsSamples}) and the bundles that did not start. Label values come only
 * from the command tree and from fixed words, never from a request's text: the series stay bounded.
 */
final class DaemonMetrics {
    /** Upper bounds of the latency buckets, in seconds: a forwarded command takes milliseconds, a cold attach up to seconds. */
    static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    /** The CNI verbs a label may name; any other is {@code cni other}. */
    private static final Set<String> CNI_VERBS = Set.of("ADD", "DEL", "CHECK", "STATUS", "GC", "VERSION");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram duration;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** {@code ctx}: where the {@link MetricsSource} services and the bundles are found at each scrape (null: none). */
    DaemonMetrics(BundleContext ctx) {
        requests = Counter.builder().name("patchbay_requests_total")
                .help("Requests the daemon ran, by command (or CNI verb) and result.")
                .labelNames("command", "result").withoutExemplars().register(registry);
        duration = Histogram.builder().name("patchbay_request_duration_seconds")
                .help("How long the daemon took to run a request, by command (or CNI verb), from a worker taking it to its reply.")
                .labelNames("command").classicOnly().classicUpperBounds(BUCKETS).withoutExemplars().register(registry);
        if (ctx != null) {
            registry.register(() -> collect(ctx));
        }
    }

    /** A request ended: {@code command} from {@link #commandLabel} or {@link #cniLabel}, {@code code} its exit code (-1: it failed inside the daemon). */
    void request(String command, int code, long nanos) {
        requests.labelValues(command, result(code)).inc();
        duration.labelValues(command).observe(nanos / 1e9);
    }

    /** The result label of an exit code: the CLI's table, {@code error} for other codes (a CNI error's), {@code dropped} for none. */
    static String result(int code) {
        return switch (code) {
            case -1 -> "dropped";
            case 0 -> "ok";
            case 1 -> "failure";
            case 2 -> "usage";
            case 3 -> "environment";
            case 4 -> "internal";
            default -> "error";
        };
    }

    /** The command label of a CNI call: {@code cni ADD}, ..., or {@code cni other} for a verb the spec does not have. */
    static String cniLabel(String verb) {
        return verb != null && CNI_VERBS.contains(verb) ? "cni " + verb : "cni other";
    }

    /**
     * The command label of a command line: the names picocli matched (from the command tree), else {@code other}. Never
     * a word the user typed that the tree does not have.
     */
    static String commandLabel(String matched) {
        return matched == null || matched.isEmpty() ? "other" : matched;
    }

    /** The metrics in Prometheus' text format (version 0.0.4). */
    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    /** The text format's content type, for HTTP. */
    static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    private static MetricSnapshots collect(BundleContext ctx) {
        MetricsSamples samples = new MetricsSamples();
        ServiceReference<?>[] refs;
        try {
            refs = ctx.getServiceReferences(MetricsSource.class.getName(), null);
        } catch (InvalidSyntaxException | IllegalStateException e) {
            refs = null; // the framework is stopping
        }
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            Object service = ctx.getService(ref);
            try {
                if (service instanceof MetricsSource source) {
                    source.collect(samples);
                }
            } catch (RuntimeException e) {
                System.err.println("patchbay: daemon: metrics of bundle " + ref.getBundle().getSymbolicName() + " failed: " + e);
            } finally {
                if (service != null) {
                    ctx.ungetService(ref);
                }
            }
        }
        int notStarted = 0;
        for (Bundle b : ctx.getBundles()) {
            if (b.getBundleId() != 0 && b.getState() != Bundle.ACTIVE && b.getHeaders("").get(Constants.FRAGMENT_HOST) == null) {
                notStarted++;
            }
        }
        samples.bundlesNotStarted(notStarted);
        return samples.snapshots();
    }
}
