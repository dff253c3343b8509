package dev.patchbay.core.firewall;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.PortMapping;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** One declarative firewall rule; a backend turns it into its own rules. */
public sealed interface Rule permits Rule.Masquerade, Rule.BridgeForward, Rule.Isolation, Rule.Internal, Rule.PortForward, Rule.Balance, Rule.TunnelPeers {

    /**
     * Source NAT for traffic leaving {@code subnet}: only out of {@code uplink} when given, never for
     * traffic that stays inside the subnet or goes to a multicast address.
     */
    record Masquerade(IpPrefix subnet, IfName uplink) implements Rule {
        public Masquerade {
            if (subnet == null || !subnet.isNetwork()) {
                throw new InvalidInputException("masquerade subnet", subnet, "must be a subnet without host bits");
            }
        }
    }

    /**
     * Forwarding for a bridge: all from it, and replies (established/related) and published-port traffic (DNAT) to it, are
     * accepted. Published-port traffic from each of its {@code subnets} back into it (hairpin) is masqueraded, bridge
     * netfilter on or not; so is IPv4 from 127.0.0.0/8 (the host publishing on localhost).
     */
    record BridgeForward(IfName bridge, List<IpPrefix> subnets) implements Rule {
        public BridgeForward {
            if (bridge == null) {
                throw new InvalidInputException("bridge", null, "is required");
            }
            subnets = List.copyOf(subnets == null ? List.of() : subnets);
            for (IpPrefix s : subnets) {
                if (!s.isNetwork()) {
                    throw new InvalidInputException("bridge subnet", s, "must be a subnet without host bits");
                }
            }
        }
    }

    /**
     * Traffic from this bridge to any other isolated bridge is dropped (both directions, as each side isolates), but to and
     * from its {@code peers}, other networks' bridges it is connected to on purpose (since 3.0).
     */
    record Isolation(IfName bridge, List<IfName> peers) implements Rule {
        public Isolation {
            if (bridge == null) {
                throw new InvalidInputException("bridge", null, "is required");
            }
            peers = List.copyOf(peers == null ? List.of() : peers);
        }

        public Isolation(IfName bridge) {
            this(bridge, List.of());
        }
    }

    /** No forwarding between this bridge and any other interface, either way: an internal network's. Since 3.0 */
    record Internal(IfName bridge) implements Rule {
    }

    /**
     * A published port: {@code mapping}'s host ports (on its host address, or any local one) go to {@code target}'s
     * container ports, one by one; from outside, from the host and from containers on the bridge ({@link BridgeForward}).
     */
    record PortForward(PortMapping mapping, InetAddress target) implements Rule {
        public PortForward {
            if (mapping == null || target == null) {
                throw new InvalidInputException("port forward", mapping + " -> " + target, "mapping and target are required");
            }
            if (mapping.hostIp() != null && Family.of(mapping.hostIp()) != Family.of(target)) {
                throw new InvalidInputException("port forward", mapping + " -> " + IpAddresses.format(target),
                        "host address and target address are of different families");
            }
        }

        public Family family() {
            return Family.of(target);
        }

        /** The forward port by port: host port {@code first + i} to container port {@code first + i}. */
        public List<Entry> entries() {
            List<Entry> out = new ArrayList<>(mapping.hostPorts().size());
            for (int i = 0; i < mapping.hostPorts().size(); i++) {
                out.add(new Entry(mapping.protocol(), mapping.hostIp(), mapping.hostPorts().first() + i,
                        target, mapping.containerPorts().first() + i));
            }
            return out;
        }
    }

    /**
     * A virtual service (since 4.0): new connections to {@code vip} (local to the host) {@code port} go to one of
     * {@code backends} in turn or at random, hairpin masqueraded; with none, refused at once (TCP reset, ICMP port
     * unreachable). {@code affinitySeconds}: how long a client keeps its backend (0: none).
     */
    record Balance(InetAddress vip, dev.patchbay.core.model.Protocol protocol, int port, List<Backend> backends, Mode mode,
                   int affinitySeconds) implements Rule {
        public enum Mode { ROUND_ROBIN, RANDOM }

        public record Backend(InetAddress address, int port) {
        }

        public Balance {
            backends = List.copyOf(backends == null ? List.of() : backends);
            if (vip == null || protocol == null || mode == null || port < 1 || port > 65535 || affinitySeconds < 0) {
                throw new InvalidInputException("service", vip + " " + port + "/" + protocol + " " + mode,
                        "needs a VIP, a protocol, a mode and a port 1-65535");
            }
            for (Backend b : backends) {
                if (b.address() == null || Family.of(b.address()) != Family.of(vip) || b.port() < 1 || b.port() > 65535) {
                    throw new InvalidInputException("service backend", b, "must be of the VIP's family, with a port 1-65535");
                }
            }
        }
    }

    /** UDP to the host's {@code port} (a tunnel's: VXLAN) accepted only from {@code peers} (IPv4), from any other dropped. Since 4.1 */
    record TunnelPeers(int port, List<InetAddress> peers) implements Rule {
    }

    /** One host port to one container port. {@code hostIp} null: any local address. */
    record Entry(dev.patchbay.core.model.Protocol protocol, InetAddress hostIp, int hostPort, InetAddress target, int targetPort) {
        public Family family() {
            return Family.of(target);
        }

        /**
         * What must be unique in one namespace: protocol and family, host address (or any), port; e.g.
         * {@code tcp * 8080} and {@code tcp6 * 8080}, the two halves of one mapping on a dual-stack network.
         */
        public String key() {
            return protocol.label() + (family() == Family.INET6 ? "6 " : " ") + (hostIp == null ? "*" : IpAddresses.format(hostIp)) + " " + hostPort;
        }
    }
}
