package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import static dev.patchbay.netlink.wire.Rtnetlink.*;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.sys.Errno;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.netlink.wire.IfAddrMsg;
import dev.patchbay.netlink.wire.NlAttrs;
import java.net.InetAddress;
import java.util.List;
import java.util.stream.Collectors;

/** Interface addresses over rtnetlink: RTM_NEWADDR / DELADDR / GETADDR. */
final class NetlinkAddressOps implements AddressOps {
    private final NetnsRef netns;
    private final NetlinkSocket socket;
    private final NetlinkLinkOps links;

    NetlinkAddressOps(NetnsRef netns, NetlinkSocket socket, NetlinkLinkOps links) {
        this.netns = netns;
        this.socket = socket;
        this.links = links;
    }

    private void send(String verb, int type, int flags, LinkRef link, IpPrefix address) {
        int index = links.resolve(link);
        try {
            socket.execute((e, seq) -> Requests.addr(e, seq, type, flags, index, address));
        } catch (NetlinkError e) {
            if (e.errno() == Errno.ENODEV) {
                throw Errors.map(e, verb, "link", link, netns);
            }
            throw Errors.map(e, verb, "address", address + " on " + link, netns);
        }
    }

    @Override
    public void add(LinkRef link, IpPrefix address) {
        send("add", RTM_NEWADDR, Requests.CREATE, link, address);
    }

    @Override
    public boolean ensure(LinkRef link, IpPrefix address) {
        if (list(link, address.family()).contains(address)) {
            return false;
        }
        try {
            add(link, address);
            return true;
        } catch (AlreadyExistsException e) {
            return false;
        }
    }

    @Override
    public void replace(LinkRef link, IpPrefix address) {
        send("replace", RTM_NEWADDR, Requests.REPLACE, link, address);
    }

    @Override
    public void delete(LinkRef link, IpPrefix address) {
        send("delete", RTM_DELADDR, Requests.CHANGE, link, address);
    }

    @Override
    public List<IpPrefix> list(LinkRef link, Family family) {
        int index = links.resolve(link);
        return listAll(family).stream().filter(a -> a.linkIndex() == index).map(Assigned::address).collect(Collectors.toList());
    }

    @Override
    public List<Assigned> listAll(Family family) {
        try {
            return socket.dump(RTM_GETADDR, new IfAddrMsg(Requests.family(family), 0, 0, 0, 0), m -> {
                IfAddrMsg h = m.ifAddr();
                if (family != null && h.family() != Requests.family(family)) {
                    return null;
                }
                NlAttrs a = m.attrs(IfAddrMsg.SIZE);
                InetAddress addr = a.has(IFA_LOCAL) ? a.address(IFA_LOCAL) : a.address(IFA_ADDRESS);
                return addr == null ? null : new Assigned(h.index(), IpPrefix.of(addr, h.prefixLen()));
            });
        } catch (NetlinkError e) {
            throw Errors.map(e, "list", "addresses", "*", netns);
        }
    }
}
