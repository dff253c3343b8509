package dev.patchbay.core.network;

import dev.patchbay.core.model.NetnsRef;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The firewall side of networks: masquerade, forward accepts and isolation for a network, DNAT for an
 * attachment's published ports. Implemented by the NAT plugin on whichever firewall backend the
 * operator chose; each call replaces exactly that network's or attachment's rules in {@code host}.
 */
@ConsumerType
public interface NetworkFirewall {
    /** {@code all}: every network of the host, for isolation between them. */
    void applyNetwork(NetnsRef host, NetworkConfig config, List<NetworkConfig> all);

    void removeNetwork(NetnsRef host, NetworkConfig config);

    void applyAttachment(NetnsRef host, NetworkConfig config, Attachment attachment);

    void removeAttachment(NetnsRef host, NetworkConfig config, String containerId);
}
