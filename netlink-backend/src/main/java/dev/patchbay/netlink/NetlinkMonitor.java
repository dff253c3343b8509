package dev.patchbay.netlink;

import static dev.patchbay.netlink.wire.Rtnetlink.*;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.NetEvent;
import dev.patchbay.core.model.Route;
import dev.patchbay.netlink.wire.IfAddrMsg;
import dev.patchbay.netlink.wire.NlAttrs;
import dev.patchbay.netlink.wire.NlMessage;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Streams link, address, route and neighbour events of one namespace: a socket subscribed to the rtnetlink
 * groups (opened inside the namespace) and a daemon reader thread that never switches namespace.
 */
final class NetlinkMonitor implements AutoCloseable {
    static final int GROUPS = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
    private final NetlinkSocket socket;
    private final Thread reader;
    private final Map<Integer, IfName> names = new ConcurrentHashMap<>();
    private volatile boolean closed;

    NetlinkMonitor(NetlinkSocket events, Map<Integer, IfName> initialNames, Consumer<NetEvent> listener) {
        this.socket = events;
        this.names.putAll(initialNames);
        this.reader = new Thread(() -> run(listener), "patchbay-netlink-monitor");
        reader.setDaemon(true);
        reader.start();
    }

    private void run(Consumer<NetEvent> listener) {
        try {
            while (!closed) {
                for (NlMessage m : socket.receiveEvents()) {
                    NetEvent e = decode(m);
                    if (e != null && !closed) {
                        listener.accept(e);
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    NetEvent decode(NlMessage m) {
        switch (m.type()) {
            case RTM_NEWLINK:
            case RTM_DELLINK: {
                Link l = NetlinkLinkOps.decode(m);
                if (m.type() == RTM_NEWLINK) {
                    names.put(l.index(), l.name());
                } else {
                    names.remove(l.index());
                }
                return new NetEvent(m.type() == RTM_NEWLINK ? NetEvent.Type.LINK_NEW : NetEvent.Type.LINK_DEL, l.index(), l, null, null);
            }
            case RTM_NEWADDR:
            case RTM_DELADDR: {
                IfAddrMsg h = m.ifAddr();
                NlAttrs a = m.attrs(IfAddrMsg.SIZE);
                InetAddress addr = a.has(IFA_LOCAL) ? a.address(IFA_LOCAL) : a.address(IFA_ADDRESS);
                if (addr == null) {
                    return null;
                }
                return new NetEvent(m.type() == RTM_NEWADDR ? NetEvent.Type.ADDR_NEW : NetEvent.Type.ADDR_DEL, h.index(), null,
                        IpPrefix.of(addr, h.prefixLen()), null);
            }
            case RTM_NEWROUTE:
            case RTM_DELROUTE: {
                Route r = NetlinkRouteOps.decode(m, names::get);
                if (r == null || Integer.valueOf(RT_TABLE_LOCAL).equals(r.table())) {
                    return null;
                }
                Integer oif = m.attrs(dev.patchbay.netlink.wire.RtMsg.SIZE).u32(RTA_OIF);
                return new NetEvent(m.type() == RTM_NEWROUTE ? NetEvent.Type.ROUTE_NEW : NetEvent.Type.ROUTE_DEL,
                        oif == null ? 0 : oif, null, null, r);
            }
            case RTM_NEWNEIGH:
            case RTM_DELNEIGH: {
                dev.patchbay.core.model.Neighbour n = NetlinkNeighbourOps.decode(m, names);
                return n == null ? null : new NetEvent(m.type() == RTM_NEWNEIGH ? NetEvent.Type.NEIGH_NEW : NetEvent.Type.NEIGH_DEL,
                        m.ndMsg().ifindex(), null, null, null, n);
            }
            default:
                return null;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (Thread.currentThread() != reader) {
            try {
                reader.join(2000); // the reader wakes at least every 200 ms
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        socket.close();
    }
}
