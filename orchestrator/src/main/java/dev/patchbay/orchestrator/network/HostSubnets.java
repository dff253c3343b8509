package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A network's subnets against what the host namespace uses besides the network itself: an address of one of its links
 * inside the subnet, or a connected route (one with no gateway: the host reaches that prefix on a link) overlapping it,
 * has the network's bridge take the host's own addresses or traffic (the uplink's subnet, its gateway's address).
 * Routes through a gateway, the default route among them, are the operator's to shadow and are not looked at. Reads
 * only: {@code network create} refuses such a subnet, {@code doctor} reports a network that has come to overlap.
 */
public final class HostSubnets {
    private HostSubnets() {
    }

    /** One subnet of the network and what of the host it overlaps. */
    public record Overlap(IpPrefix subnet, String what) {
        @Override
        public String toString() {
            return subnet + " overlaps " + what;
        }
    }

    /** Refuses a new network whose subnet the host uses, naming the subnet and the address or route and its link. */
    static void check(NetnsHandle host, String where, NetworkConfig config) {
        for (Overlap o : overlaps(host, config, null)) {
            throw new InvalidInputException(o.subnet().isV4() ? "subnet" : "ipv6", o.subnet(), "overlaps " + o.what() + " in " + where
                    + ": the network's bridge would take the host's own addresses or traffic; choose a subnet the host does not use");
        }
    }

    /** What the network's subnets overlap in the host namespace, its own host interface {@code own} (if any) aside. */
    static List<Overlap> overlaps(NetnsHandle host, NetworkConfig config, IfName own) {
        List<Overlap> out = new ArrayList<>();
        if (config.subnets().isEmpty()) {
            return out;
        }
        Map<Integer, IfName> names = new HashMap<>();
        for (Link l : host.links().list()) {
            names.put(l.index(), l.name());
        }
        for (AddressOps.Assigned a : host.addresses().listAll(null)) {
            IfName link = names.get(a.linkIndex());
            for (IpPrefix mine : config.subnets()) {
                if ((own == null || !own.equals(link)) && mine.contains(a.address().address())) {
                    out.add(new Overlap(mine, "address " + a.address() + " of " + (link != null ? link : "link " + a.linkIndex())));
                }
            }
        }
        for (Route r : host.routes().list(null, null)) {
            if (r.gateway() != null || r.device() == null || r.destination().length() == 0 || r.device().equals(own)) {
                continue;
            }
            for (IpPrefix mine : config.subnets()) {
                if (mine.overlaps(r.destination())) {
                    out.add(new Overlap(mine, "the route to " + r.destination() + " on " + r.device()));
                }
            }
        }
        return out;
    }

    /**
     * What the host namespace uses, as {@link #overlaps} looks at it: each address of its links (as a prefix of the
     * address alone) and each connected route's destination. What a subnet from the default pools must not overlap.
     */
    static List<IpPrefix> used(NetnsHandle host) {
        List<IpPrefix> out = new ArrayList<>();
        for (AddressOps.Assigned a : host.addresses().listAll(null)) {
            out.add(IpPrefix.of(a.address().address(), a.address().family().bits()));
        }
        for (Route r : host.routes().list(null, null)) {
            if (r.gateway() == null && r.device() != null && r.destination().length() != 0) {
                out.add(r.destination().network());
            }
        }
        return out;
    }

    /**
     * For {@code doctor}: what the network's subnets overlap in the host namespace besides the network's own host
     * interface; empty when the network's chain is not installed (its host interface unknown: reported elsewhere).
     */
    public static List<Overlap> overlaps(NetworkManager m, NetnsHandle host, NetworkConfig config) {
        IfName own;
        try {
            own = m.chain(config).plugins().get(0).hostInterface(config);
        } catch (PatchbayException missing) {
            return List.of();
        }
        return overlaps(host, config, own);
    }
}
