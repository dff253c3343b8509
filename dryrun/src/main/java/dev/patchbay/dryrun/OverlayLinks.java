package dev.patchbay.dryrun;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkChange;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.LinkOps;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** {@link LinkOps} of a dry run: reads its {@link Layer}, records each change as an {@code ip link} command. */
final class OverlayLinks implements LinkOps {
    private final OverlayStack stack;
    private final Layer layer;

    OverlayLinks(OverlayStack stack, Layer layer) {
        this.stack = stack;
        this.layer = layer;
    }

    private void ip(String... words) {
        stack.script.ip(layer.ref, List.of(words));
    }

    @Override
    public Link add(LinkSpec spec) {
        if (layer.find(LinkRef.name(spec.name())).isPresent()) {
            throw new AlreadyExistsException("link \"" + spec.name() + "\" already exists in " + layer.ref.describe());
        }
        Shape sh = Shape.of(spec);
        List<String> w = new ArrayList<>(List.of("link", "add"));
        if (sh.parent() != null) {
            w.addAll(List.of("link", layer.name(sh.parent())));
        }
        w.add(spec.name().value());
        Integer mtu = sh.mtu();
        MacAddress mac = sh.mac();
        String kind = sh.kind();
        options(w, mtu, mac);
        if (sh.netns() != null) {
            w.addAll(List.of("netns", netnsWord(sh.netns())));
        }
        w.addAll(List.of("type", kind));
        LinkSpec.Attr only = spec instanceof LinkSpec.Other o && o.data().size() == 1 ? o.data().get(0) : null;
        if ("macvlan".equals(kind) && only != null && only.type() == 1 && only.value() instanceof Long bit
                && List.of(1L, 2L, 4L, 8L).contains(bit)) { // IFLA_MACVLAN_MODE, spelt as ip spells it
            w.addAll(List.of("mode", List.of("private", "vepa", "bridge", "passthru").get(Long.numberOfTrailingZeros(bit))));
        } else if (spec instanceof LinkSpec.Other o && !o.data().isEmpty()) { // ip has no generic spelling of a kind's attributes
            stack.script.comment("the " + kind + " link " + spec.name() + " also carries IFLA_INFO_DATA " + o.data().stream()
                    .map(d -> d.type() + "=" + (d.value() instanceof byte[] bytes ? HexFormat.of().formatHex(bytes) : d.value()))
                    .toList() + " (attribute numbers of the kind's enum)");
        }
        Layer home = sh.netns() != null ? stack.layer(sh.netns()) : layer;
        int index = home.nextIndex();
        if (spec instanceof LinkSpec.Veth v) {
            Layer peerLayer = v.peerNetns() == null ? layer : stack.layer(v.peerNetns());
            w.addAll(List.of("peer", "name", v.peerName().value()));
            options(w, v.mtu(), v.peerMac());
            if (v.peerNetns() != null) {
                w.addAll(List.of("netns", netnsWord(v.peerNetns())));
            }
            ip(w.toArray(String[]::new));
            layer.put(link(index, v.name(), kind, mtu, mac));
            Link peer = link(peerLayer == layer ? index + 1 : peerLayer.nextIndex(), v.peerName(), kind, mtu, v.peerMac());
            peerLayer.put(peer);
            layer.peers.put(v.name().value(), new AbstractMap.SimpleEntry<>(peerLayer, v.peerName().value()));
            peerLayer.peers.put(v.peerName().value(), new AbstractMap.SimpleEntry<>(layer, v.name().value()));
            return layer.get(LinkRef.name(v.name()));
        }
        ip(w.toArray(String[]::new));
        Link l = link(index, spec.name(), kind, mtu, mac);
        home.put(l);
        return l;
    }

    /** What the script and the overlay need of a spec, whatever its kind. */
    private record Shape(String kind, LinkRef parent, NetnsRef netns, Integer mtu, MacAddress mac) {
        static Shape of(LinkSpec spec) {
            if (spec instanceof LinkSpec.Bridge b) {
                return new Shape("bridge", null, null, b.mtu(), b.mac());
            } else if (spec instanceof LinkSpec.Veth v) {
                return new Shape("veth", null, null, v.mtu(), v.mac());
            }
            LinkSpec.Other o = (LinkSpec.Other) spec;
            return new Shape(o.kind(), o.parent(), o.netns(), o.mtu(), o.mac());
        }
    }

    private static void options(List<String> w, Integer mtu, MacAddress mac) {
        if (mtu != null) {
            w.addAll(List.of("mtu", mtu.toString()));
        }
        if (mac != null) {
            w.addAll(List.of("address", mac.value()));
        }
    }

    /** How {@code ip link ... netns} names a namespace: its name, else its file. */
    static String netnsWord(NetnsRef ref) {
        return ref instanceof NetnsRef.Named n ? n.name() : ref.path().toString();
    }

    private static Link link(int index, IfName name, String kind, Integer mtu, MacAddress mac) {
        return new Link(index, name, kind, mtu == null ? 1500 : mtu, mac != null ? mac : randomMac(), false, false, null, null, null);
    }

    /** A made-up address for a link the kernel would make, so that readers have one; the script leaves it to the kernel. */
    private static MacAddress randomMac() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] = (byte) ((b[0] & 0xfe) | 0x02);
        return MacAddress.of(b);
    }

    @Override
    public Link ensure(LinkSpec spec) {
        Optional<Link> had = layer.find(LinkRef.name(spec.name()));
        return had.isPresent() ? had.get() : add(spec);
    }

    @Override
    public Optional<Link> find(LinkRef ref) {
        return layer.find(ref);
    }

    @Override
    public Link get(LinkRef ref) {
        return layer.get(ref);
    }

    @Override
    public List<Link> list() {
        return List.copyOf(layer.links().values());
    }

    private Link change(LinkRef ref, java.util.function.UnaryOperator<Link> how) {
        Link l = layer.get(ref);
        Link n = how.apply(l);
        layer.put(n);
        return n;
    }

    @Override
    public void setUp(LinkRef ref, boolean up) {
        String name = layer.name(ref);
        change(ref, l -> new Link(l.index(), l.name(), l.kind(), l.mtu(), l.mac(), up, up, l.masterIndex(), l.peerIndex(), l.peerNetnsId()));
        ip("link", "set", "dev", name, up ? "up" : "down");
    }

    @Override
    public void setMaster(LinkRef port, LinkRef master) {
        String name = layer.name(port);
        Integer m = master == null ? null : layer.get(master).index();
        change(port, l -> new Link(l.index(), l.name(), l.kind(), l.mtu(), l.mac(), l.up(), l.lowerUp(), m, l.peerIndex(), l.peerNetnsId()));
        if (master == null) {
            ip("link", "set", "dev", name, "nomaster");
        } else {
            ip("link", "set", "dev", name, "master", layer.name(master));
        }
    }

    @Override
    public void setMtu(LinkRef ref, int mtu) {
        String name = layer.name(ref);
        change(ref, l -> new Link(l.index(), l.name(), l.kind(), mtu, l.mac(), l.up(), l.lowerUp(), l.masterIndex(), l.peerIndex(), l.peerNetnsId()));
        ip("link", "set", "dev", name, "mtu", Integer.toString(mtu));
    }

    @Override
    public void setMac(LinkRef ref, MacAddress mac) {
        String name = layer.name(ref);
        change(ref, l -> new Link(l.index(), l.name(), l.kind(), l.mtu(), mac, l.up(), l.lowerUp(), l.masterIndex(), l.peerIndex(), l.peerNetnsId()));
        ip("link", "set", "dev", name, "address", mac.value());
    }

    @Override
    public void rename(LinkRef ref, IfName newName) {
        Link l = layer.get(ref);
        layer.remove(l.name().value());
        layer.put(new Link(l.index(), newName, l.kind(), l.mtu(), l.mac(), l.up(), l.lowerUp(), l.masterIndex(), l.peerIndex(), l.peerNetnsId()));
        ip("link", "set", "dev", l.name().value(), "name", newName.value());
    }

    @Override
    public void moveTo(LinkRef ref, NetnsRef target) {
        Link l = layer.get(ref);
        layer.remove(l.name().value());
        Layer to = stack.layer(target);
        to.put(new Link(to.nextIndex(), l.name(), l.kind(), l.mtu(), l.mac(), false, false, null, l.peerIndex(), l.peerNetnsId()));
        ip("link", "set", "dev", l.name().value(), "netns", netnsWord(target));
    }

    @Override
    public void setBridgePort(LinkRef port, Boolean hairpin, Boolean isolated) {
        List<String> w = new ArrayList<>(List.of("link", "set", "dev", layer.name(port), "type", "bridge_slave"));
        if (hairpin != null) {
            w.addAll(List.of("hairpin", hairpin ? "on" : "off"));
        }
        if (isolated != null) {
            w.addAll(List.of("isolated", isolated ? "on" : "off"));
        }
        ip(w.toArray(String[]::new));
    }

    @Override
    public void delete(LinkRef ref) {
        String name = layer.name(ref);
        layer.get(ref);
        layer.remove(name);
        ip("link", "del", "dev", name);
    }

    @Override
    public void addAll(List<LinkSpec> specs) {
        specs.forEach(this::add);
    }

    @Override
    public void deleteAll(List<LinkRef> refs) {
        for (LinkRef r : refs) {
            if (layer.find(r).isPresent()) {
                delete(r);
            }
        }
    }

    @Override
    public void set(LinkRef ref, LinkChange change) {
        List<String> w = new ArrayList<>(List.of("link", "set", "dev", layer.name(ref)));
        if (change.up() != null) {
            w.add(change.up() ? "up" : "down");
            boolean up = change.up();
            change(ref, l -> new Link(l.index(), l.name(), l.kind(), l.mtu(), l.mac(), up, up, l.masterIndex(), l.peerIndex(), l.peerNetnsId()));
        }
        if (change.promisc() != null) {
            w.addAll(List.of("promisc", change.promisc() ? "on" : "off"));
        }
        if (change.allmulti() != null) {
            w.addAll(List.of("allmulticast", change.allmulti() ? "on" : "off"));
        }
        if (change.group() != null) {
            w.addAll(List.of("group", change.group().toString()));
        }
        ip(w.toArray(String[]::new));
    }

    /** A dry run cannot tell which links are in a group (the model has no group): it deletes none. */
    @Override
    public boolean deleteGroup(int group) {
        return false;
    }
}
