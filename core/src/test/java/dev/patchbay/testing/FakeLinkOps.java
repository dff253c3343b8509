package dev.patchbay.testing;

import static dev.patchbay.testing.FakeNetworkStack.withDevice;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.BackendException;
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
import dev.patchbay.testing.FakeNetworkStack.FakeLink;
import dev.patchbay.testing.FakeNetworkStack.Netns;
import java.util.List;
import java.util.Optional;

/** Links of one fake namespace: {@link LinkOps} as {@link FakeNetworkStack} plays it. */
final class FakeLinkOps extends FakeOps implements LinkOps {
    FakeLinkOps(FakeNetworkStack.Handle handle) {
        super(handle);
    }

    private Link create(LinkSpec spec) {
        Integer mtu = spec instanceof LinkSpec.Bridge b ? b.mtu() : spec instanceof LinkSpec.Veth v ? v.mtu()
                : ((LinkSpec.Other) spec).mtu();
        if (mtu != null && (mtu < 68 || mtu > 65535)) {
            throw new InvalidInputException("mtu", mtu, "must be 68..65535");
        }
        int m = mtu == null ? 1500 : mtu;
        if (spec instanceof LinkSpec.Veth v) {
            Netns peerNs = v.peerNetns() == null ? ns : existing(v.peerNetns());
            if (ns.find(LinkRef.name(v.name())).isPresent() || peerNs.find(LinkRef.name(v.peerName())).isPresent()
                    || (peerNs == ns && v.name().equals(v.peerName()))) {
                throw new AlreadyExistsException("link \"" + v.name() + "\" or its peer \"" + v.peerName() + "\" (in "
                        + peerNs.ref.describe() + ") already exists in " + where());
            }
            FakeLink a = ns.newLink(v.name(), "veth", m, v.mac());
            FakeLink b = peerNs.newLink(v.peerName(), "veth", m, v.peerMac());
            a.peer = b;
            b.peer = a;
            return a.toLink();
        }
        if (spec instanceof LinkSpec.Other o) { // any kind: the fake keeps its attributes, the kernel would judge them
            if (o.parent() != null) {
                ns.find(o.parent()).orElseThrow(() -> new NotFoundException("link " + o.parent() + " not found in " + where()));
            }
            Netns target = o.netns() == null ? ns : existing(o.netns());
            if (target.find(LinkRef.name(o.name())).isPresent()) {
                throw new AlreadyExistsException("link \"" + o.name() + "\" already exists in " + target.ref.describe());
            }
            FakeLink l = target.newLink(o.name(), o.kind(), m, o.mac());
            l.infoData = o.data();
            return l.toLink();
        }
        if (ns.find(LinkRef.name(spec.name())).isPresent()) {
            throw new AlreadyExistsException("link \"" + spec.name() + "\" already exists in " + where());
        }
        MacAddress mac = spec instanceof LinkSpec.Bridge b ? b.mac() : null;
        return ns.newLink(spec.name(), kindOf(spec), m, mac).toLink();
    }

    static String kindOf(LinkSpec spec) {
        return spec instanceof LinkSpec.Bridge ? "bridge" : spec instanceof LinkSpec.Veth ? "veth"
                : ((LinkSpec.Other) spec).kind();
    }

        @Override
        public Link add(LinkSpec spec) {
            return change("links.add", spec.name(), () -> create(spec));
        }

        @Override
        public Link ensure(LinkSpec spec) {
            return change("links.ensure", spec.name(), () -> {
                Optional<FakeLink> l = ns.find(LinkRef.name(spec.name()));
                if (l.isEmpty()) {
                    return create(spec);
                }
                if (!kindOf(spec).equals(l.get().kind)) {
                    throw new AlreadyExistsException("link \"" + spec.name() + "\" exists in " + where() + " as "
                            + (l.get().kind == null ? "a device without kind" : "kind " + l.get().kind) + ", not " + kindOf(spec));
                }
                return l.get().toLink();
            });
        }

        @Override
        public Optional<Link> find(LinkRef ref) {
            return read("links.find", ref, () -> ns.find(ref).map(FakeLink::toLink));
        }

        @Override
        public Link get(LinkRef ref) {
            return read("links.get", ref, () -> ns.get(ref).toLink());
        }

        @Override
        public List<Link> list() {
            return read("links.list", null, () -> ns.links.stream().map(FakeLink::toLink).toList());
        }

        @Override
        public void setUp(LinkRef ref, boolean up) {
            change("links.setUp", ref + (up ? " up" : " down"), () -> {
                ns.setUp(ns.get(ref), up);
            });
        }

        @Override
        public void setMaster(LinkRef port, LinkRef master) {
            change("links.setMaster", port + " " + (master == null ? "nomaster" : master), () -> {
                FakeLink p = ns.get(port);
                FakeLink m = master == null ? null : ns.get(master);
                if (m != null && !"bridge".equals(m.kind)) {
                    throw new BackendException("failed to set master of link \"" + port + "\" in " + where() + ": \"" + master + "\" is not a bridge");
                }
                p.master = m;
            });
        }

        @Override
        public void setMtu(LinkRef ref, int mtu) {
            change("links.setMtu", ref + " " + mtu, () -> {
                if (mtu < 68 || mtu > 65535) {
                    throw new InvalidInputException("mtu", mtu, "must be 68..65535");
                }
                ns.get(ref).mtu = mtu;
            });
        }

        @Override
        public void setMac(LinkRef ref, MacAddress mac) {
            change("links.setMac", ref + " " + mac, () -> {
                ns.get(ref).mac = mac;
            });
        }

        @Override
        public void rename(LinkRef ref, IfName newName) {
            change("links.rename", ref + " " + newName, () -> {
                FakeLink l = ns.get(ref);
                if (ns.find(LinkRef.name(newName)).isPresent()) {
                    throw new AlreadyExistsException("link \"" + newName + "\" already exists in " + where());
                }
                ns.routes.replaceAll(r -> l.name.equals(r.device()) ? withDevice(r, newName) : r);
                l.name = newName;
            });
        }

        @Override
        public void moveTo(LinkRef ref, NetnsRef target) {
            change("links.moveTo", ref + " " + target, () -> {
                FakeLink l = ns.get(ref);
                Netns to = existing(target);
                if (to.find(LinkRef.name(l.name)).isPresent()) {
                    throw new AlreadyExistsException("cannot move link \"" + ref + "\" to " + target.describe() + ": a link of that name exists there");
                }
                FakeLink peer = l.peer;
                l.peer = null; // keep the peer when leaving
                ns.remove(l);
                l.peer = peer;
                l.home = to;
                l.index = to.nextIndex++;
                l.up = false;
                l.master = null;
                l.addresses.clear();
                l.qdisc = null; // the kernel's default takes over
                to.links.add(l);
            });
        }

        @Override
        public void setBridgePort(LinkRef port, Boolean hairpin, Boolean isolated) {
            change("links.setBridgePort", port + " hairpin=" + hairpin + " isolated=" + isolated, () -> {
                FakeLink p = ns.get(port);
                if (p.master == null) {
                    throw new BackendException("failed to set bridge-port flags of link \"" + port + "\" in " + where()
                            + ": it is not a port of a bridge (set its master first)");
                }
                p.hairpin = hairpin != null ? hairpin : p.hairpin;
                p.isolated = isolated != null ? isolated : p.isolated;
            });
        }

        @Override
        public void delete(LinkRef ref) {
            change("links.delete", ref, () -> {
                FakeLink l = ns.get(ref);
                if (l.kind == null) {
                    throw new BackendException("failed to delete link \"" + ref + "\" in " + where() + ": Operation not supported");
                }
                ns.remove(l);
            });
        }

        @Override
        public void addAll(List<LinkSpec> specs) {
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

        @Override
        public void deleteAll(List<LinkRef> refs) {
            for (LinkRef ref : refs) {
                if (find(ref).isPresent()) {
                    delete(ref);
                }
            }
        }

        @Override
        public void set(LinkRef ref, LinkChange c) {
            change("links.set", ref + " " + c, () -> {
                FakeLink l = ns.get(ref);
                ns.setUp(l, c.up() == null ? l.up : c.up());
                l.promisc = c.promisc() == null ? l.promisc : c.promisc();
                l.allmulti = c.allmulti() == null ? l.allmulti : c.allmulti();
                l.group = c.group() == null ? l.group : c.group();
            });
        }

        @Override
        public boolean deleteGroup(int group) {
            return change("links.deleteGroup", group, () -> {
                List<FakeLink> marked = ns.links.stream().filter(l -> l.group == group).toList();
                marked.forEach(ns::remove);
                return !marked.isEmpty();
            });
        }
    
}
