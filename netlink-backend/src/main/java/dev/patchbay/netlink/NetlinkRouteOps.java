package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import static dev.patchbay.netlink.wire.Rtnetlink.*;

import dev.patchbay.sys.Errno;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.model.Scope;
import dev.patchbay.core.spi.RouteOps;
import dev.patchbay.netlink.wire.NlAttrs;
import dev.patchbay.netlink.wire.NlMessage;
import dev.patchbay.netlink.wire.RtMsg;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/** Routes over rtnetlink: RTM_NEWROUTE / DELROUTE / GETROUTE. */
final class NetlinkRouteOps implements RouteOps {
    private final NetnsRef netns;
    private final NetlinkSocket socket;
    private final NetlinkLinkOps links;

    NetlinkRouteOps(NetnsRef netns, NetlinkSocket socket, NetlinkLinkOps links) {
        this.netns = netns;
        this.socket = socket;
        this.links = links;
    }

    static String describe(Route r) {
        StringBuilder sb = new StringBuilder(r.isDefault() ? "default" : r.destination().toString());
        if (r.gateway() != null) {
            sb.append(" via ").append(IpAddresses.format(r.gateway()));
        }
        if (r.device() != null) {
            sb.append(" dev ").append(r.device());
        }
        if (r.table() != null) {
            sb.append(" table ").append(r.table());
        }
        if (r.metric() != null) {
            sb.append(" metric ").append(r.metric());
        }
        return sb.toString();
    }

    private void send(String verb, int type, int flags, Route r) {
        int oif = r.device() == null ? 0 : links.resolve(LinkRef.name(r.device()));
        try {
            socket.execute((e, seq) -> Requests.route(e, seq, type, flags, r, oif));
        } catch (NetlinkError e) {
            if (e.errno() == Errno.ENETUNREACH) { // the gateway is not on any connected network
                throw new dev.patchbay.core.errors.BackendException("failed to " + verb + " route \"" + describe(r) + "\" in "
                        + netns.describe() + ": gateway not reachable through any link (add an address in its subnet first): "
                        + e.getMessage(), e);
            }
            throw Errors.map(e, verb, "route", describe(r), netns);
        }
    }

    @Override
    public void add(Route route) {
        send("add", RTM_NEWROUTE, Requests.CREATE, route);
    }

    @Override
    public void replace(Route route) {
        send("replace", RTM_NEWROUTE, Requests.REPLACE, route);
    }

    @Override
    public void delete(Route route) {
        send("delete", RTM_DELROUTE, Requests.CHANGE, route);
    }

    /** A route from an RTM_NEWROUTE/DELROUTE message (table null for main), or null for cloned and non-IP ones. */
    static Route decode(NlMessage m, java.util.function.Function<Integer, IfName> names) {
        RtMsg h = m.rtMsg();
        if ((h.flags() & RTM_F_CLONED) != 0 || (h.family() != AF_INET && h.family() != AF_INET6)) {
            return null;
        }
        NlAttrs a = m.attrs(RtMsg.SIZE);
        int t = a.u32(RTA_TABLE) != null ? a.u32(RTA_TABLE) : h.table();
        Family f = h.family() == AF_INET ? Family.INET : Family.INET6;
        InetAddress dst = a.has(RTA_DST) ? a.address(RTA_DST) : IpAddresses.fromBigInteger(BigInteger.ZERO, f);
        Integer oif = a.u32(RTA_OIF);
        return new Route(IpPrefix.of(dst, h.dstLen()), a.address(RTA_GATEWAY), oif == null ? null : names.apply(oif),
                a.address(RTA_PREFSRC), a.u32(RTA_PRIORITY), t == RT_TABLE_MAIN ? null : t, Scope.of(h.scope()));
    }

    @Override
    public List<Route> list(Family family, Integer table) {
        int want = table == null ? RT_TABLE_MAIN : table;
        Map<Integer, IfName> names = links.names();
        try {
            return socket.dump(RTM_GETROUTE, new RtMsg(Requests.family(family), 0, 0, 0, 0, 0, 0, 0, 0), m -> {
                Route r = decode(m, names::get);
                if (r == null || (family != null && r.destination().family() != family)) {
                    return null;
                }
                return (r.table() == null ? RT_TABLE_MAIN : r.table()) == want ? r : null;
            });
        } catch (NetlinkError e) {
            throw Errors.map(e, "list", "routes", "*", netns);
        }
    }
}
