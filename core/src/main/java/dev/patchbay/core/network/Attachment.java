package dev.patchbay.core.network;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.PortMapping;
import java.util.List;
import java.util.Map;

/**
 * A container on a network, as Patchbay recorded it.
 *
 * @param netnsPath the container's namespace file at attach time
 * @param hostIf    the host-side link the driver made for it (e.g. a port of the bridge), or null
 * @param options   the chain's options for it alone ({@link AttachRequest#options}), sorted; a record of before 2.3 has none
 */
public record Attachment(String network, String containerId, String netnsPath, IfName ifName, IfName hostIf,
                         MacAddress mac, List<IpPrefix> addresses, List<PortMapping> ports, Map<String, String> options) {

    public Attachment {
        addresses = List.copyOf(addresses);
        ports = List.copyOf(ports);
        options = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(options == null ? Map.of() : options));
    }

    /** An attachment with no options of its own (the orchestrator records the request's). */
    public Attachment(String network, String containerId, String netnsPath, IfName ifName, IfName hostIf,
                      MacAddress mac, List<IpPrefix> addresses, List<PortMapping> ports) {
        this(network, containerId, netnsPath, ifName, hostIf, mac, addresses, ports, Map.of());
    }

    public Attachment withId(String id) {
        return new Attachment(network, id, netnsPath, ifName, hostIf, mac, addresses, ports, options);
    }

    public Attachment withPorts(List<PortMapping> newPorts) {
        return new Attachment(network, containerId, netnsPath, ifName, hostIf, mac, addresses, newPorts, options);
    }
}
