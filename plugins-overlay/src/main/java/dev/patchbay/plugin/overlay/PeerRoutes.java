package dev.patchbay.plugin.overlay;

import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Neighbour;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.spi.NeighbourOps;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.List;
import java.util.Objects;

/**
 * What a node programs for each other node of an overlay network, on its VXLAN device: a route to the peer's subnet via
 * the peer's VTEP address, a neighbour entry for that address (the peer's VTEP MAC) and a forwarding entry (that MAC to
 * the peer's underlay address). {@link #sync} makes the kernel hold exactly the peers given: what a peer gone left is
 * withdrawn (route, neighbour, then forwarding entry), what a new one needs is added (the reverse order).
 */
final class PeerRoutes {
    private PeerRoutes() {
    }

    /** The peers worth programming: not this node, and published (a claim not yet finished has no underlay address). */
    static List<Peer> others(List<Peer> all, String self) {
        return all.stream().filter(p -> !p.node().equals(self) && !p.underlay().isLoopbackAddress()).toList();
    }

    static Route route(Peer p, IfName vx) {
        return new Route(p.subnet(), p.vtep(), vx, null, null, null, null);
    }

    static void sync(NetnsHandle host, IfName vx, List<Peer> peers) {
        List<Route> routes = host.routes().list(Family.INET, null).stream()
                .filter(r -> vx.equals(r.device()) && r.gateway() != null).toList();
        List<Neighbour> neighbours = host.neighbours().list(Family.INET).stream().filter(n -> vx.equals(n.device()) && n.permanent()).toList();
        List<NeighbourOps.Fdb> fdb = host.neighbours().listFdb(vx);
        for (Route r : routes) {
            if (peers.stream().noneMatch(p -> p.subnet().equals(r.destination()) && p.vtep().equals(r.gateway()))) {
                gone(() -> host.routes().delete(r));
            }
        }
        for (Neighbour n : neighbours) {
            if (peers.stream().noneMatch(p -> p.vtep().equals(n.address()) && p.vtepMac().equals(n.mac()))) {
                gone(() -> host.neighbours().delete(vx, n.address()));
            }
        }
        for (NeighbourOps.Fdb f : fdb) {
            if (peers.stream().noneMatch(p -> p.vtepMac().equals(f.mac()) && p.underlay().equals(f.destination()))) {
                gone(() -> host.neighbours().deleteFdb(f));
            }
        }
        for (Peer p : peers) {
            NeighbourOps.Fdb f = new NeighbourOps.Fdb(vx, p.vtepMac(), p.underlay());
            if (!fdb.contains(f)) {
                host.neighbours().appendFdb(f);
            }
            Neighbour n = new Neighbour(p.vtep(), p.vtepMac(), vx, true);
            if (!neighbours.contains(n)) {
                host.neighbours().replace(n);
            }
            if (routes.stream().noneMatch(r -> r.destination().equals(p.subnet()) && Objects.equals(r.gateway(), p.vtep()))) {
                host.routes().replace(route(p, vx));
            }
        }
    }

    /** What of {@code peers}' entries the kernel lacks, in words (reads only). */
    static List<String> missing(NetnsHandle host, IfName vx, List<Peer> peers) {
        List<Route> routes = host.routes().list(Family.INET, null);
        List<Neighbour> neighbours = host.neighbours().list(Family.INET);
        List<NeighbourOps.Fdb> fdb = host.links().find(dev.patchbay.core.model.LinkRef.name(vx)).isPresent() ? host.neighbours().listFdb(vx) : List.of();
        List<String> out = new java.util.ArrayList<>();
        for (Peer p : peers) {
            if (routes.stream().noneMatch(r -> vx.equals(r.device()) && r.destination().equals(p.subnet()) && Objects.equals(r.gateway(), p.vtep()))) {
                out.add("route to " + p.subnet() + " (node " + p.node() + ")");
            }
            if (!neighbours.contains(new Neighbour(p.vtep(), p.vtepMac(), vx, true))) {
                out.add("neighbour " + dev.patchbay.core.model.IpAddresses.format(p.vtep()) + " (node " + p.node() + ")");
            }
            if (!fdb.contains(new NeighbourOps.Fdb(vx, p.vtepMac(), p.underlay()))) {
                out.add("forwarding entry " + p.vtepMac() + " (node " + p.node() + ")");
            }
        }
        return out;
    }

    /**
     * What the kernel holds on {@code vx} for no peer of {@code peers}, in words (reads only): a route, a neighbour or a
     * forwarding entry of a node that holds no lease (gone while this node did not see it, or added by hand). {@link #sync}
     * removes them.
     */
    static List<String> stale(NetnsHandle host, IfName vx, List<Peer> peers) {
        List<String> out = new java.util.ArrayList<>();
        if (host.links().find(dev.patchbay.core.model.LinkRef.name(vx)).isEmpty()) {
            return out;
        }
        for (Route r : host.routes().list(Family.INET, null)) {
            if (vx.equals(r.device()) && r.gateway() != null
                    && peers.stream().noneMatch(p -> p.subnet().equals(r.destination()) && p.vtep().equals(r.gateway()))) {
                out.add("stale route to " + r.destination() + " via " + dev.patchbay.core.model.IpAddresses.format(r.gateway())
                        + " (no node holds a lease for it)");
            }
        }
        for (Neighbour n : host.neighbours().list(Family.INET)) {
            if (vx.equals(n.device()) && n.permanent() && peers.stream().noneMatch(p -> p.vtep().equals(n.address()) && p.vtepMac().equals(n.mac()))) {
                out.add("stale neighbour " + dev.patchbay.core.model.IpAddresses.format(n.address()) + " " + n.mac() + " (no node holds a lease for it)");
            }
        }
        for (NeighbourOps.Fdb f : host.neighbours().listFdb(vx)) {
            if (peers.stream().noneMatch(p -> p.vtepMac().equals(f.mac()) && p.underlay().equals(f.destination()))) {
                out.add("stale forwarding entry " + f.mac() + " to " + dev.patchbay.core.model.IpAddresses.format(f.destination())
                        + " (no node holds a lease for it)");
            }
        }
        return out;
    }

    private static void gone(Runnable r) {
        try {
            r.run();
        } catch (NotFoundException e) {
            // gone already: what was wanted
        }
    }
}
