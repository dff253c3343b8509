package dev.patchbay.dryrun;

import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One namespace as a dry run sees it: what the kernel held when the run first looked (links, addresses, the main
 * table's routes), then every change the run recorded instead of making it. A namespace the run made starts with a
 * loopback that is down, as the kernel's do.
 */
final class Layer {
    final NetnsRef ref;
    /** The kernel's namespace, for what the run did not change (sysctls, other tables); null: made by the run. */
    final NetnsHandle real;
    private Map<String, Link> links;
    private Map<Integer, List<IpPrefix>> addresses;
    private List<Route> routes;
    final Map<String, String> sysctls = new HashMap<>();
    /** Root qdiscs the run set (a value) or deleted (empty), by link name. */
    final Map<String, java.util.Optional<dev.patchbay.core.model.Qdisc>> qdiscs = new HashMap<>();
    /** Ingress redirects the run set (the target) or deleted (empty), by link name. */
    final Map<String, java.util.Optional<dev.patchbay.core.model.LinkRef>> ingress = new HashMap<>();
    /** Veth ends the run made here: the layer and name of each one's peer, which goes with it. */
    final Map<String, Map.Entry<Layer, String>> peers = new HashMap<>();

    Layer(NetnsRef ref, NetnsHandle real) {
        this.ref = ref;
        this.real = real;
    }

    private void load() {
        if (links != null) {
            return;
        }
        links = new LinkedHashMap<>();
        addresses = new LinkedHashMap<>();
        routes = new ArrayList<>();
        if (real == null) {
            links.put("lo", new Link(1, new IfName("lo"), null, 65536, null, false, false, null, null, null));
            return;
        }
        real.links().list().forEach(l -> links.put(l.name().value(), l));
        for (AddressOps.Assigned a : real.addresses().listAll(null)) {
            addresses.computeIfAbsent(a.linkIndex(), k -> new ArrayList<>()).add(a.address());
        }
        routes.addAll(real.routes().list(null, null));
    }

    synchronized Map<String, Link> links() {
        load();
        return links;
    }

    synchronized Map<Integer, List<IpPrefix>> addresses() {
        load();
        return addresses;
    }

    synchronized List<Route> routes() {
        load();
        return routes;
    }

    synchronized Optional<Link> find(LinkRef ref) {
        load();
        if (ref instanceof LinkRef.ByName n) {
            return Optional.ofNullable(links.get(n.name().value()));
        }
        int index = ((LinkRef.ByIndex) ref).index();
        return links.values().stream().filter(l -> l.index() == index).findFirst();
    }

    synchronized Link get(LinkRef ref) {
        return find(ref).orElseThrow(() -> new NotFoundException("link \"" + ref + "\" not found in " + this.ref.describe()));
    }

    /** The name {@code ref} names, for a command line. */
    String name(LinkRef ref) {
        return ref instanceof LinkRef.ByName n ? n.name().value() : get(ref).name().value();
    }

    synchronized int nextIndex() {
        load();
        return links.values().stream().mapToInt(Link::index).max().orElse(1) + 1;
    }

    synchronized void put(Link l) {
        load();
        links.put(l.name().value(), l);
    }

    /** Forgets link {@code name}, its addresses and routes, and the peer of a veth the run made. */
    synchronized void remove(String name) {
        load();
        Link l = links.remove(name);
        if (l == null) {
            return;
        }
        addresses.remove(l.index());
        routes.removeIf(r -> r.device() != null && r.device().value().equals(name));
        Map.Entry<Layer, String> peer = peers.remove(name);
        if (peer != null) {
            peer.getKey().remove(peer.getValue());
        }
    }
}
