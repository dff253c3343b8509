package dev.patchbay.netlink;

import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.LinkOps;
import dev.patchbay.core.spi.NeighbourOps;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.QdiscOps;
import dev.patchbay.core.spi.RouteOps;
import dev.patchbay.core.spi.RuleOps;
import dev.patchbay.core.spi.SysctlOps;

/** One namespace's handle: one netlink socket opened inside it, and the operation groups sharing it. */
final class NetlinkHandle implements NetnsHandle {
    private final NetnsRef netns;
    private final NetlinkSocket socket;
    private final NetlinkLinkOps links;
    private final NetlinkAddressOps addresses;
    private final NetlinkRouteOps routes;
    private final NetlinkRuleOps rules;
    private final NetlinkNeighbourOps neighbours;
    private final NetlinkSysctlOps sysctl;
    private final NetlinkSockets sockets;
    private final NetlinkQdiscOps qdiscs;

    NetlinkHandle(NetnsRef netns, NetlinkSocket socket) {
        this.netns = netns;
        this.socket = socket;
        this.links = new NetlinkLinkOps(netns, socket);
        this.addresses = new NetlinkAddressOps(netns, socket, links);
        this.routes = new NetlinkRouteOps(netns, socket, links);
        this.rules = new NetlinkRuleOps(netns, socket);
        this.neighbours = new NetlinkNeighbourOps(netns, socket, links);
        this.sysctl = new NetlinkSysctlOps(netns);
        this.sockets = new NetlinkSockets(netns);
        this.qdiscs = new NetlinkQdiscOps(netns, socket, links);
    }

    @Override
    public NetnsRef netns() {
        return netns;
    }

    @Override
    public LinkOps links() {
        return links;
    }

    @Override
    public AddressOps addresses() {
        return addresses;
    }

    @Override
    public RouteOps routes() {
        return routes;
    }

    @Override
    public RuleOps rules() {
        return rules;
    }

    @Override
    public NeighbourOps neighbours() {
        return neighbours;
    }

    @Override
    public SysctlOps sysctl() {
        return sysctl;
    }

    @Override
    public QdiscOps qdiscs() {
        return qdiscs;
    }

    @Override
    public AutoCloseable monitor(java.util.function.Consumer<dev.patchbay.core.model.NetEvent> listener) {
        NetlinkSocket events = netns instanceof NetnsRef.Current ? NetlinkSocket.open(NetlinkMonitor.GROUPS)
                : NetnsThreads.callIn(netns, () -> NetlinkSocket.open(NetlinkMonitor.GROUPS));
        try {
            return new NetlinkMonitor(events, links.names(), listener);
        } catch (RuntimeException e) {
            events.close();
            throw e;
        }
    }

    @Override
    public java.util.List<dev.patchbay.core.model.ListeningSocket> listeningSockets() {
        return sockets.listening();
    }

    @Override
    public void close() {
        sockets.close();
        socket.close();
    }
}
