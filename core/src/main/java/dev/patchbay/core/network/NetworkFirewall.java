package dev.patchbay.core.network;

import dev.patchbay.core.model.NetnsRef;
import java.nio.file.Path;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The firewall side of networks: masquerade, forward accepts and isolation for a network, DNAT for an
 * attachment's published ports. Implemented by the NAT plugin on whichever firewall backend the
 * operator chose; each call replaces exactly that network's or attachment's rules in {@code host}.
 * {@code stateDir} is where the firewall keeps its records (the same state directory as the network's).
 */
@ConsumerType
public interface NetworkFirewall {
    /** {@code all}: every network of the host, for isolation between them. */
    void applyNetwork(Path stateDir, NetnsRef host, NetworkConfig config, List<NetworkConfig> all);

    void removeNetwork(Path stateDir, NetnsRef host, NetworkConfig config);

    void applyAttachment(Path stateDir, NetnsRef host, NetworkConfig config, Attachment attachment);

    void removeAttachment(Path stateDir, NetnsRef host, NetworkConfig config, String containerId);
}
