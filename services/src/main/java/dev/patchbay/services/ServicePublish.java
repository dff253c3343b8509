package dev.patchbay.services;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.firewall.host.FirewallHost;
import dev.patchbay.orchestrator.network.HostPorts;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code service create --publish [IP:]HOSTPORT}, checked before anything changes: the host address one of the host
 * namespace's (not loopback: a service is published to the network), of a family the service has a VIP of; the port
 * not published already at the same address (by a container or another service, as the firewall host's rulesets say: a
 * port on one address and the same port on every address go together, the one address winning) nor held by a host
 * process (the DNAT would silently take its traffic).
 */
final class ServicePublish {
    private ServicePublish() {
    }

    static void check(NetworkStack stack, FirewallHost fw, NetnsRef host, NetworkConfig config, List<String> texts, List<PortMapping> mappings) {
        if (mappings.isEmpty()) {
            return;
        }
        List<InetAddress> local = new ArrayList<>();
        try (NetnsHandle h = stack.open(host)) {
            for (AddressOps.Assigned a : h.addresses().listAll(null)) {
                local.add(a.address().address());
            }
        }
        for (int i = 0; i < mappings.size(); i++) {
            PortMapping m = mappings.get(i);
            String text = texts.get(i);
            InetAddress ip = m.hostIp();
            if (ip != null && (ip.isLoopbackAddress() || ip.isAnyLocalAddress())) {
                throw new InvalidInputException("--publish", text, "publish on an address of the host's links, or on all of them (HOSTPORT alone)");
            }
            if (ip != null && Family.of(ip) == Family.INET6 && config.subnet6() == null) {
                throw new InvalidInputException("--publish", text, "network \"" + config.name() + "\" has no IPv6 subnet, so the service has no IPv6 VIP");
            }
            if (ip != null && !local.contains(ip)) {
                throw new InvalidInputException("--publish", text, IpAddresses.format(ip) + " is not an address of " + host.describe());
            }
            for (int j = 0; j < i; j++) {
                if (overlaps(m, mappings.get(j).protocol(), mappings.get(j).hostIp(), mappings.get(j).hostPorts().first())) {
                    throw new InvalidInputException("--publish", text, "is given twice");
                }
            }
            for (Ruleset rs : fw.rulesets().values()) {
                for (Rule.Entry e : rs.entries()) {
                    if ((ip == null || Family.of(ip) == e.family()) && same(m, e.protocol(), e.hostIp(), e.hostPort())) {
                        throw new AlreadyExistsException("failed to publish " + text + "/" + m.protocol().label() + ": " + e.key()
                                + " is published by " + rs.owner());
                    }
                }
            }
            List<HostPorts.Listener> bound = HostPorts.listeners(stack, host);
            for (HostPorts.Listener l : bound) {
                if (HostPorts.shadows(m, l)) {
                    throw new AlreadyExistsException("failed to publish " + text + "/" + m.protocol().label() + ": a host process listens on " + l
                            + "; the published port would take its traffic");
                }
            }
        }
    }

    /**
     * Another owner's port at the same address (or both on every address): one address and every address at one port
     * go together, the one address winning its connections (the firewall backends match it first).
     */
    private static boolean same(PortMapping m, dev.patchbay.core.model.Protocol protocol, InetAddress hostIp, int port) {
        return m.protocol() == protocol && m.hostPorts().first() == port && java.util.Objects.equals(m.hostIp(), hostIp);
    }

    private static boolean overlaps(PortMapping m, dev.patchbay.core.model.Protocol protocol, InetAddress hostIp, int port) {
        return m.protocol() == protocol && m.hostPorts().first() == port && (m.hostIp() == null || hostIp == null || m.hostIp().equals(hostIp));
    }
}
