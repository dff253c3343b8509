package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import static dev.patchbay.netlink.wire.Rtnetlink.*;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.sys.Errno;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkChange;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.LinkOps;
import dev.patchbay.sys.Sys;
import dev.patchbay.netlink.wire.IfInfoMsg;
import dev.patchbay.netlink.wire.NlAttrs;
import dev.patchbay.netlink.wire.NlMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Links over rtnetlink: RTM_NEWLINK / DELLINK / GETLINK. */
final class NetlinkLinkOps implements LinkOps {
    private final NetnsRef netns;
    private final NetlinkSocket socket;

    NetlinkLinkOps(NetnsRef netns, NetlinkSocket socket) {
        this.netns = netns;
        this.socket = socket;
    }

    static String kindOf(LinkSpec spec) {
        return spec instanceof LinkSpec.Bridge ? "bridge" : spec instanceof LinkSpec.Veth ? "veth" : ((LinkSpec.Other) spec).kind();
    }

    @Override
    public Link add(LinkSpec spec) {
        Link created = create(spec);
        return created != null ? created : get(LinkRef.name(spec.name()));
    }

    /** Creates the link in one round trip; the kernel echoes it back (NLM_F_ECHO, 6.x kernels), else null. */
    private Link create(LinkSpec spec) {
        if (spec instanceof LinkSpec.Other o) {
            return createChild(o, o.parent(), o.netns(), (nsFd, parent) -> (e, seq) -> Requests.newOther(e, seq, o, parent, nsFd, NLM_F_ECHO));
        }
        int fd = peerNetnsFd(spec);
        try {
            List<Link> echoed = socket.executeEcho((e, seq) -> Requests.newLink(e, seq, spec, fd, NLM_F_ECHO), m -> {
                if (m.type() != RTM_NEWLINK) {
                    return null;
                }
                Link l = decode(m);
                return l.name().equals(spec.name()) ? l : null;
            });
            return echoed.isEmpty() ? null : echoed.get(echoed.size() - 1);
        } catch (NetlinkError e) {
            throw mapCreate(e, spec);
        } finally {
            if (fd >= 0) {
                Sys.libc().close(fd);
            }
        }
    }

    /**
     * A link on a parent of this namespace (or none), made here or directly in another namespace: a macvlan, a link of a
     * kind of the model's Other. The kernel echoes a link made elsewhere into that namespace, not to this socket:
     * then it is read back there.
     */
    private Link createChild(LinkSpec spec, LinkRef parentRef, NetnsRef target, java.util.function.BiFunction<Integer, Integer, NetlinkSocket.Request> request) {
        int parent;
        try {
            parent = parentRef == null ? 0 : resolve(parentRef);
        } catch (NotFoundException e) {
            throw new NotFoundException("cannot create " + kindOf(spec) + " \"" + spec.name() + "\": its parent link \"" + parentRef
                    + "\" does not exist in " + netns.describe(), e.getCause());
        }
        int fd = target == null ? -1 : NetnsThreads.openNetns(target);
        List<Link> echoed;
        try {
            echoed = socket.executeEcho(request.apply(fd, parent), m -> {
                if (m.type() != RTM_NEWLINK) {
                    return null;
                }
                Link l = decode(m);
                return l.name().equals(spec.name()) ? l : null;
            });
        } catch (NetlinkError e) {
            if (e.errno() == Errno.EEXIST && target != null) {
                throw new AlreadyExistsException("link \"" + spec.name() + "\" already exists in " + target.describe(), e);
            }
            throw mapCreate(e, spec);
        } finally {
            if (fd >= 0) {
                Sys.libc().close(fd);
            }
        }
        if (!echoed.isEmpty() && target == null) {
            return echoed.get(echoed.size() - 1);
        }
        if (target == null) {
            return null; // add() reads it back here
        }
        return NetnsThreads.callIn(target, () -> {
            try (NetlinkSocket there = NetlinkSocket.open()) {
                return new NetlinkLinkOps(target, there).get(LinkRef.name(spec.name()));
            }
        });
    }

    private static int peerNetnsFd(LinkSpec spec) {
        if (spec instanceof LinkSpec.Veth v && v.peerNetns() != null) {
            return NetnsThreads.openNetns(v.peerNetns());
        }
        return -1;
    }

    private RuntimeException mapCreate(NetlinkError e, LinkSpec spec) {
        if (e.errno() == Errno.EEXIST && spec instanceof LinkSpec.Veth v) {
            String where = v.peerNetns() == null ? netns.describe() : v.peerNetns().describe();
            return new AlreadyExistsException("link \"" + spec.name() + "\" or its peer \"" + v.peerName() + "\" (in " + where
                    + ") already exists in " + netns.describe(), e);
        }
        if (e.errno() == Errno.EOPNOTSUPP || (e.errno() == Errno.EINVAL && e.getMessage().contains("Unknown device type"))) {
            return new dev.patchbay.core.errors.UnavailableException("failed to create link \"" + spec.name() + "\": the kernel has no "
                    + kindOf(spec) + " link type: " + e.getMessage(), e);
        }
        return Errors.map(e, "create", "link", spec.name(), netns);
    }

    /**
     * Creates many links with one sendmsg per {@value NetlinkSocket#BATCH_CHUNK} requests. If any
     * fails, the ones this call created are deleted again and the first failure is thrown.
     */
    @Override
    public void addAll(List<LinkSpec> specs) {
        Map<NetnsRef, Integer> fds = new HashMap<>();
        try {
            List<NetlinkSocket.Request> requests = new ArrayList<>(specs.size());
            if (specs.stream().anyMatch(s -> s instanceof LinkSpec.Other)) {
                addOneByOne(specs); // rare: one request each, with the parent looked up first
                return;
            }
            for (LinkSpec spec : specs) {
                int fd = -1;
                if (spec instanceof LinkSpec.Veth v && v.peerNetns() != null) {
                    fd = fds.computeIfAbsent(v.peerNetns(), NetnsThreads::openNetns);
                }
                int peerFd = fd;
                requests.add((e, seq) -> Requests.newLink(e, seq, spec, peerFd));
            }
            List<NetlinkError> results = socket.executeAll(requests);
            int firstFailure = -1;
            List<NetlinkSocket.Request> undo = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i) == null) {
                    String name = specs.get(i).name().value();
                    undo.add((e, seq) -> Requests.delLink(e, seq, 0, name));
                } else if (firstFailure < 0) {
                    firstFailure = i;
                }
            }
            if (firstFailure >= 0) {
                socket.executeAll(undo);
                throw mapCreate(results.get(firstFailure), specs.get(firstFailure));
            }
        } finally {
            fds.values().forEach(fd -> Sys.libc().close(fd));
        }
    }

    private void addOneByOne(List<LinkSpec> specs) {
        java.util.ArrayDeque<LinkSpec> done = new java.util.ArrayDeque<>();
        try {
            for (LinkSpec spec : specs) {
                add(spec);
                done.push(spec);
            }
        } catch (RuntimeException e) {
            for (LinkSpec spec : done) {
                try {
                    delete(LinkRef.name(spec.name()));
                } catch (RuntimeException undo) {
                    e.addSuppressed(undo);
                }
            }
            throw e;
        }
    }

    /** Deletes many links in batches; absent ones are ignored. */
    @Override
    public void deleteAll(List<LinkRef> refs) {
        List<NetlinkSocket.Request> requests = new ArrayList<>(refs.size());
        for (LinkRef ref : refs) {
            requests.add((e, seq) -> Requests.delLink(e, seq, index(ref), name(ref)));
        }
        List<NetlinkError> results = socket.executeAll(requests);
        for (int i = 0; i < results.size(); i++) {
            NetlinkError err = results.get(i);
            if (err != null && err.errno() != Errno.ENODEV) {
                throw Errors.map(err, "delete", "link", refs.get(i), netns);
            }
        }
    }

    @Override
    public Link ensure(LinkSpec spec) {
        Optional<Link> existing = find(LinkRef.name(spec.name()));
        if (existing.isEmpty()) {
            try {
                return add(spec);
            } catch (AlreadyExistsException raced) {
                existing = find(LinkRef.name(spec.name()));
                if (existing.isEmpty()) {
                    throw raced;
                }
            }
        }
        Link link = existing.get();
        String want = kindOf(spec);
        if (!want.equals(link.kind())) {
            throw new AlreadyExistsException("link \"" + spec.name() + "\" exists in " + netns.describe() + " as "
                    + (link.kind() == null ? "a device without kind" : "kind " + link.kind()) + ", not " + want);
        }
        return link;
    }

    @Override
    public Optional<Link> find(LinkRef ref) {
        try {
            return Optional.of(get(ref));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public Link get(LinkRef ref) {
        try {
            return socket.get((e, seq) -> Requests.getLink(e, seq, index(ref), name(ref)), NetlinkLinkOps::decode);
        } catch (NetlinkError e) {
            throw Errors.map(e, "get", "link", ref, netns);
        }
    }

    @Override
    public List<Link> list() {
        try {
            return socket.dump(RTM_GETLINK, IfInfoMsg.of(0), e -> e.u32(IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS),
                    NetlinkLinkOps::decode);
        } catch (NetlinkError e) {
            throw Errors.map(e, "list", "links", "*", netns);
        }
    }

    /** Index of {@code ref}: asks the kernel for a name. */
    int resolve(LinkRef ref) {
        return ref instanceof LinkRef.ByIndex i ? i.index() : get(ref).index();
    }

    /** Index to name of every link, for listings that report devices by index. */
    Map<Integer, IfName> names() {
        Map<Integer, IfName> m = new HashMap<>();
        list().forEach(l -> m.put(l.index(), l.name()));
        return m;
    }

    static int index(LinkRef ref) {
        return ref instanceof LinkRef.ByIndex i ? i.index() : 0;
    }

    static String name(LinkRef ref) {
        return ref instanceof LinkRef.ByName n ? n.name().value() : null;
    }

    private void change(LinkRef ref, String verb, NetlinkSocket.Request request) {
        try {
            socket.execute(request);
        } catch (NetlinkError e) {
            throw Errors.map(e, verb, "link", ref, netns);
        }
    }

    @Override
    public void setUp(LinkRef ref, boolean up) {
        change(ref, up ? "set up" : "set down", (e, seq) -> Requests.setUp(e, seq, index(ref), name(ref), up));
    }

    @Override
    public void set(LinkRef ref, LinkChange c) {
        change(ref, "change", (e, seq) -> Requests.change(e, seq, index(ref), name(ref), c));
    }

    @Override
    public boolean deleteGroup(int group) {
        try {
            socket.execute((e, seq) -> Requests.delGroup(e, seq, group)); // the grace period passes in here
            return true;
        } catch (NetlinkError e) {
            if (e.errno() == Errno.ENODEV) {
                return false; // no link in the group
            }
            throw Errors.map(e, "delete", "link group", group, netns);
        }
    }

    @Override
    public void setMaster(LinkRef port, LinkRef master) {
        int masterIndex = master == null ? 0 : resolve(master);
        change(port, "set master of", (e, seq) -> Requests.setMaster(e, seq, index(port), name(port), masterIndex));
    }

    @Override
    public void setMtu(LinkRef ref, int mtu) {
        if (mtu < 68 || mtu > 65535) {
            throw new InvalidInputException("mtu", mtu, "must be 68..65535");
        }
        change(ref, "set mtu of", (e, seq) -> Requests.changeLink(e, seq, index(ref), name(ref), 0, 0).u32(IFLA_MTU, mtu).end());
    }

    @Override
    public void setMac(LinkRef ref, MacAddress mac) {
        change(ref, "set address of", (e, seq) -> Requests.changeLink(e, seq, index(ref), name(ref), 0, 0)
                .attr(IFLA_ADDRESS, mac.bytes()).end());
    }

    @Override
    public void rename(LinkRef ref, IfName newName) {
        int index = resolve(ref);
        try {
            socket.execute((e, seq) -> Requests.changeLink(e, seq, index, null, 0, 0).string(IFLA_IFNAME, newName.value()).end());
        } catch (NetlinkError e) {
            if (e.errno() == Errno.EEXIST) {
                throw Errors.map(e, "rename", "link", newName, netns);
            }
            throw Errors.map(e, "rename", "link", ref, netns);
        }
    }

    @Override
    public void moveTo(LinkRef ref, NetnsRef target) {
        int fd = NetnsThreads.openNetns(target);
        try {
            change(ref, "move", (e, seq) -> Requests.changeLink(e, seq, index(ref), name(ref), 0, 0).u32(IFLA_NET_NS_FD, fd).end());
        } catch (AlreadyExistsException e) {
            throw new AlreadyExistsException("cannot move link \"" + ref + "\" to " + target.describe()
                    + ": a link of that name exists there", e.getCause());
        } finally {
            Sys.libc().close(fd);
        }
    }

    @Override
    public void setBridgePort(LinkRef port, Boolean hairpin, Boolean isolated) {
        try {
            socket.execute((e, seq) -> Requests.setBridgePort(e, seq, index(port), name(port), hairpin, isolated));
        } catch (NetlinkError e) {
            if (e.errno() == Errno.EOPNOTSUPP) {
                throw new dev.patchbay.core.errors.BackendException("failed to set bridge-port flags of link \"" + port + "\" in "
                        + netns.describe() + ": it is not a port of a bridge (set its master first): " + e.getMessage(), e);
            }
            throw Errors.map(e, "set bridge-port flags of", "link", port, netns);
        }
    }

    @Override
    public void delete(LinkRef ref) {
        change(ref, "delete", (e, seq) -> Requests.delLink(e, seq, index(ref), name(ref)));
    }

    /** A link from an RTM_NEWLINK message. */
    static Link decode(NlMessage m) {
        IfInfoMsg h = m.ifInfo();
        NlAttrs a = m.attrs(IfInfoMsg.SIZE);
        NlAttrs info = a.nested(IFLA_LINKINFO);
        byte[] mac = a.bytes(IFLA_ADDRESS);
        Integer master = a.u32(IFLA_MASTER);
        Integer peer = a.u32(IFLA_LINK);
        Integer peerNetns = a.s32(IFLA_LINK_NETNSID); // in another namespace, the peer may have this link's index
        return new Link(h.index(), new IfName(a.string(IFLA_IFNAME)), info.string(IFLA_INFO_KIND),
                a.u32(IFLA_MTU) == null ? 0 : a.u32(IFLA_MTU), mac != null && mac.length == 6 ? MacAddress.of(mac) : null,
                (h.flags() & IFF_UP) != 0, (h.flags() & IFF_LOWER_UP) != 0,
                master == null || master == 0 ? null : master,
                peer == null || peer == 0 || (peer == h.index() && peerNetns == null) ? null : peer, peerNetns);
    }
}
