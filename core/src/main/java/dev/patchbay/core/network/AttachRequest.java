package dev.patchbay.core.network;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an attach asks for: put a container (its namespace) on a network.
 *
 * @param containerId identifies the attachment within the network (CNI's container id); for the CLI it is
 *                    derived from the namespace reference unless given
 * @param addresses   requested static addresses (at most one per family), empty for "allocate"
 * @param defaultRoute the gateway becomes the default route even where the container has one ({@code --default-route});
 *                    false: only where it has none, so a container's first network keeps it (as Podman does). Since 2.1
 * @param options     the chain's options for this attachment alone ({@code attach --opt KEY=VALUE}), sorted. Since 2.3
 */
public record AttachRequest(String network, String containerId, NetnsRef container, IfName ifName, List<InetAddress> addresses,
                            MacAddress mac, List<PortMapping> ports, boolean defaultRoute, Map<String, String> options) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}");

    public AttachRequest {
        NetworkConfig.checkName(network);
        if (containerId == null || !ID.matcher(containerId).matches()) {
            throw new InvalidInputException("container id", containerId, "must be 1-128 letters, digits or '_', '.', ':', '@', '-'");
        }
        if (container == null) {
            throw new InvalidInputException("container namespace", null, "is required (--netns, --pid or --path)");
        }
        if (ifName == null) {
            ifName = new IfName("eth0");
        }
        addresses = List.copyOf(addresses == null ? List.of() : addresses);
        ports = List.copyOf(ports == null ? List.of() : ports);
        options = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(options == null ? Map.of() : options));
    }

    /** A request with no options of its own. */
    public AttachRequest(String network, String containerId, NetnsRef container, IfName ifName,
                         List<InetAddress> addresses, MacAddress mac, List<PortMapping> ports, boolean defaultRoute) {
        this(network, containerId, container, ifName, addresses, mac, ports, defaultRoute, Map.of());
    }

    /** A request that leaves an existing default route of the container alone. */
    public AttachRequest(String network, String containerId, NetnsRef container, IfName ifName,
                         List<InetAddress> addresses, MacAddress mac, List<PortMapping> ports) {
        this(network, containerId, container, ifName, addresses, mac, ports, false);
    }
}
