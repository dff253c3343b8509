package dev.patchbay.doctor.explain;

import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The hops read from the kernel without sending anything: a namespace's route to an address (the longest prefix of its
 * main table), a container's interface, its host side on the bridge, the host's forwarding. Each returns the hop; the
 * walk stops at the first broken one.
 */
final class Legs {
    private final NetworkStack stack;
    private final NetnsRef host;

    Legs(NetworkStack stack, NetnsRef host) {
        this.stack = stack;
        this.host = host;
    }

    /** The route of the main table {@code dst} takes: the longest prefix holding it, the lowest metric among equals. */
    static Optional<Route> lookup(List<Route> routes, InetAddress dst) {
        return routes.stream().filter(r -> r.table() == null || r.table() == 254).filter(r -> r.destination().contains(dst))
                .max(Comparator.<Route>comparingInt(r -> r.destination().length()).thenComparing(r -> -(r.metric() == null ? 0 : r.metric())));
    }

    static String describe(Route r) {
        return (r.isDefault() ? "default" : r.destination().toString()) + (r.gateway() == null ? "" : " via " + IpAddresses.format(r.gateway()))
                + (r.device() == null ? "" : " dev " + r.device());
    }

    static NetnsRef netns(Attachment a) {
        return NetnsRef.path(Path.of(a.netnsPath()));
    }

    /** The container's namespace is still there. */
    static Hop namespace(Attachment a) {
        Path p = Path.of(a.netnsPath());
        if (!Files.exists(p)) {
            return Hop.broken("namespace", "container \"" + a.containerId() + "\"'s namespace " + p + " is gone: nobody holds "
                    + a.addresses() + " on network \"" + a.network() + "\" any more; patchbay gc detaches it");
        }
        return Hop.ok("namespace", "container \"" + a.containerId() + "\" in " + p);
    }

    /** The container's interface: up, with a carrier, holding its recorded addresses. */
    static Hop iface(NetnsHandle ctr, Attachment a) {
        Optional<Link> eth = ctr.links().find(LinkRef.name(a.ifName()));
        String who = "container \"" + a.containerId() + "\"";
        if (eth.isEmpty()) {
            return Hop.broken("interface", who + " has no interface " + a.ifName() + " (deleted? patchbay gc repairs the attachment)");
        }
        if (!eth.get().up() || !eth.get().lowerUp()) {
            return Hop.broken("interface", who + ": " + a.ifName() + " is " + (!eth.get().up() ? "down" : "up without a carrier (its host side is down or gone)"));
        }
        List<IpPrefix> held = ctr.addresses().list(LinkRef.name(a.ifName()), null);
        List<IpPrefix> missing = a.addresses().stream().filter(p -> !held.contains(p)).toList();
        if (!missing.isEmpty()) {
            return Hop.broken("interface", who + ": " + a.ifName() + " lacks " + missing + " (it holds " + held + ")");
        }
        return Hop.ok("interface", who + ": " + a.ifName() + " is up with " + a.addresses());
    }

    /** The bridge, up with the gateway, and the container's host side a port of it, up. */
    static Hop bridge(NetnsHandle h, NetworkConfig net, Attachment a) {
        String name = net.option("bridge").orElse(null);
        Link bridge = null;
        if (name != null) {
            bridge = h.links().find(LinkRef.name(new IfName(name))).orElse(null);
            if (bridge == null || !bridge.up()) {
                return Hop.broken("bridge", "bridge " + name + " of network \"" + net.name() + "\" is " + (bridge == null ? "missing (patchbay gc rebuilds it)" : "down"));
            }
        }
        if (a.hostIf() == null) {
            return Hop.ok("bridge", name == null ? "network \"" + net.name() + "\"" : name + " is up");
        }
        Optional<Link> veth = h.links().find(LinkRef.name(a.hostIf()));
        if (veth.isEmpty() || !veth.get().up()) {
            return Hop.broken("bridge port", "the host side " + a.hostIf() + " of \"" + a.containerId() + "\" is " + (veth.isEmpty() ? "missing" : "down"));
        }
        if (bridge != null && !Integer.valueOf(bridge.index()).equals(veth.get().masterIndex())) {
            return Hop.broken("bridge port", a.hostIf() + " of \"" + a.containerId() + "\" is not a port of " + name);
        }
        return Hop.ok("bridge port", a.hostIf() + " of \"" + a.containerId() + "\" is up" + (name == null ? "" : " on " + name));
    }

    /** The host forwards the family of {@code dst}. */
    static Hop forwarding(NetnsHandle h, InetAddress dst) {
        String key = Family.of(dst) == Family.INET ? "net.ipv4.ip_forward" : "net.ipv6.conf.all.forwarding";
        String v = h.sysctl().get(key).orElse("?");
        return v.equals("1") ? Hop.ok("forwarding", key + " = 1") : Hop.broken("forwarding", key + " = " + v + ": the host routes nothing between its links");
    }

    /** The host's route to {@code dst}. */
    Hop hostRoute(NetnsHandle h, InetAddress dst) {
        Optional<Route> r = lookup(h.routes().list(Family.of(dst), null), dst);
        return r.map(x -> Hop.ok("host route", "to " + IpAddresses.format(dst) + ": " + describe(x) + " in " + host.describe()))
                .orElseGet(() -> Hop.broken("host route", "no route to " + IpAddresses.format(dst) + " in " + host.describe()));
    }

    /** The far end, a container: the bridge and its port, its namespace, its interface; a broken hop ends the list. */
    List<Hop> target(NetnsHandle h, NetworkConfig net, Attachment t) {
        Hop ns = namespace(t);
        if (ns.isBroken()) {
            return List.of(ns);
        }
        Hop port = bridge(h, net, t);
        if (port.isBroken()) {
            return List.of(port);
        }
        try (NetnsHandle c = stack.open(netns(t))) {
            return List.of(port, ns, iface(c, t));
        }
    }
}
