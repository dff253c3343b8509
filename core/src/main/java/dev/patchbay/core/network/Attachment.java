package dev.patchbay.core.network;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.PortMapping;
import java.util.List;

/**
 * A container on a network, as Patchbay recorded it.
 *
 * @param netnsPath the container's namespace file at attach time
 * @param hostIf    the host-side link the driver made for it (e.g. a port of the bridge), or null
 */
public record Attachment(String network, String containerId, String netnsPath, IfName ifName, IfName hostIf,
                         MacAddress mac, List<IpPrefix> addresses, List<PortMapping> ports) {

    public Attachment {
        addresses = List.copyOf(addresses);
        ports = List.copyOf(ports);
    }

    public Attachment withId(String id) {
        return new Attachment(network, id, netnsPath, ifName, hostIf, mac, addresses, ports);
    }

    public Attachment withPorts(List<PortMapping> newPorts) {
        return new Attachment(network, containerId, netnsPath, ifName, hostIf, mac, addresses, newPorts);
    }
}
