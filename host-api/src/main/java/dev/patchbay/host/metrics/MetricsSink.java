package dev.patchbay.host.metrics;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Where a {@link MetricsSource} reports, one method per kind of number, so every metric's name, help and labels stay the
 * launcher's. A label value that is not one of the documented words (a kind, a family) is refused with an
 * IllegalArgumentException: label sets stay bounded.
 */
@ProviderType
public interface MetricsSink {
    /** A network of the daemon's state directory and the attachments it records. */
    void network(String name, int attachments);

    /**
     * Addresses of a network's ranges: {@code used} reserved, {@code free} still to be handed out (gateways and excluded
     * addresses are neither). {@code family}: {@code ipv4} or {@code ipv6}.
     */
    void addresses(String network, String family, double used, double free);

    /** The firewall backend in use in the daemon's namespace. */
    void firewallBackend(String backend);

    /** Repairs made since the source started: {@code kind} {@code firewall} (owners re-applied) or {@code links} (bridges, links, addresses made again). */
    void repairs(String kind, long total);

    /** Calls into network plugins since the source started that {@code failed} (threw) or {@code timed_out}. */
    void pluginCallFailures(String reason, long total);

    /** Components that are not satisfied now (a reference or configuration missing). */
    void unsatisfiedComponents(int count);
}
