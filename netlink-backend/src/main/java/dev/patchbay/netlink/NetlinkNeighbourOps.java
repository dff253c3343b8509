package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import static dev.patchbay.netlink.wire.Rtnetlink.*;

import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.Neighbour;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NeighbourOps;
import dev.patchbay.netlink.wire.NdMsg;
import dev.patchbay.netlink.wire.NlAttrs;
import dev.patchbay.netlink.wire.NlMessage;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/** Neighbour entries over rtnetlink: RTM_NEWNEIGH / DELNEIGH / GETNEIGH. */
final class NetlinkNeighbourOps implements NeighbourOps {
    private final NetnsRef netns;
    private final NetlinkSocket socket;
    private final NetlinkLinkOps links;

    NetlinkNeighbourOps(NetnsRef netns, NetlinkSocket socket, NetlinkLinkOps links) {
        this.netns = netns;
        this.socket = socket;
        this.links = links;
    }

    private void send(String verb, int type, int flags, IfName device, InetAddress address, MacAddress mac, boolean permanent) {
        int index = links.resolve(LinkRef.name(device));
        try {
            socket.execute((e, seq) -> Requests.neigh(e, seq, type, flags, index, address, mac, permanent));
        } catch (NetlinkError e) {
            throw Errors.map(e, verb, "neighbour", IpAddresses.format(address) + " dev " + device, netns);
        }
    }

    @Override
    public void add(Neighbour n) {
        send("add", RTM_NEWNEIGH, Requests.CREATE, n.device(), n.address(), n.mac(), n.permanent());
    }

    @Override
    public void replace(Neighbour n) {
        send("replace", RTM_NEWNEIGH, Requests.REPLACE, n.device(), n.address(), n.mac(), n.permanent());
    }

    @Override
    public void delete(IfName device, InetAddress address) {
        send("delete", RTM_DELNEIGH, Requests.CHANGE, device, address, null, false);
    }

    /** An ARP/NDP entry of a dump or an event, or null for what is none (no address, an unknown device, a NOARP entry). */
    static Neighbour decode(NlMessage m, Map<Integer, IfName> names) {
        NdMsg h = m.ndMsg();
        if ((h.family() != AF_INET && h.family() != AF_INET6) || (h.state() & NUD_NOARP) != 0) {
            return null;
        }
        NlAttrs a = m.attrs(NdMsg.SIZE);
        InetAddress dst = a.address(NDA_DST);
        byte[] ll = a.bytes(NDA_LLADDR);
        IfName dev = names.get(h.ifindex());
        if (dst == null || dev == null) {
            return null;
        }
        return new Neighbour(dst, ll != null && ll.length == 6 ? MacAddress.of(ll) : null, dev, (h.state() & NUD_PERMANENT) != 0);
    }

    @Override
    public List<Neighbour> list(Family family) {
        Map<Integer, IfName> names = links.names();
        try {
            return socket.dump(RTM_GETNEIGH, new NdMsg(Requests.family(family), 0, 0, 0, 0), m -> decode(m, names));
        } catch (NetlinkError e) {
            throw Errors.map(e, "list", "neighbours", "*", netns);
        }
    }

    private void fdb(String verb, int type, Fdb f) {
        int index = links.resolve(LinkRef.name(f.device()));
        try {
            socket.execute((e, seq) -> Requests.fdb(e, seq, type, index, f.mac(), f.destination()));
        } catch (NetlinkError e) {
            throw Errors.map(e, verb, "fdb entry", f.mac() + " dst " + IpAddresses.format(f.destination()) + " dev " + f.device(), netns);
        }
    }

    @Override
    public void appendFdb(Fdb entry) {
        fdb("append", RTM_NEWNEIGH, entry);
    }

    @Override
    public void deleteFdb(Fdb entry) {
        fdb("delete", RTM_DELNEIGH, entry);
    }

    @Override
    public List<Fdb> listFdb(IfName device) {
        int index = links.resolve(LinkRef.name(device));
        try {
            return socket.dump(RTM_GETNEIGH, new NdMsg(AF_BRIDGE, 0, 0, 0, 0), m -> {
                NdMsg h = m.ndMsg();
                NlAttrs a = m.attrs(NdMsg.SIZE);
                byte[] ll = a.bytes(NDA_LLADDR);
                InetAddress dst = a.address(NDA_DST);
                return h.ifindex() != index || dst == null || ll == null || ll.length != 6 ? null
                        : new Fdb(device, MacAddress.of(ll), dst);
            });
        } catch (NetlinkError e) {
            throw Errors.map(e, "list", "fdb entries", device.value(), netns);
        }
    }
}
