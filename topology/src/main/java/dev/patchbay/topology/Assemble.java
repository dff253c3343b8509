package dev.patchbay.topology;

import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.orchestrator.network.NetworkFeatures;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure: what the kernel showed of each namespace and what the records say, made into a {@link Topology}. Veth pairs are
 * joined by their indexes (each end names the other's index, and the kernel's id of the other's namespace as it sees
 * it); where two namespaces could hold the same end, the ids learnt from unambiguous pairs decide.
 */
final class Assemble {
    /** One namespace as read: {@code role} host, container or other. */
    record Seen(String id, String name, String role, List<Link> links, List<AddressOps.Assigned> addresses,
                List<dev.patchbay.core.model.Route> routes) {
    }

    /** A network of the host and its attachments, each with the id of the namespace it is in (null: not seen). */
    record Recorded(NetworkConfig config, String health, List<Placed> attachments, List<NetworkFeatures.Feature> features) {
        Recorded(NetworkConfig config, String health, List<Placed> attachments) {
            this(config, health, attachments, List.of());
        }
    }

    record Placed(Attachment attachment, String namespace) {
    }

    private record End(Seen ns, Link link) {
    }

    private Assemble() {
    }

    static Topology of(String hostId, List<Seen> seen, List<Recorded> networks) {
        Map<String, Seen> byId = new LinkedHashMap<>();
        seen.forEach(s -> byId.put(s.id(), s));
        List<End[]> pairs = new ArrayList<>();
        List<End> unmatched = new ArrayList<>();
        pair(seen, pairs, unmatched);
        Set<String> kept = connected(hostId, byId, pairs);
        pairs.removeIf(p -> !kept.contains(p[0].ns().id()) || !kept.contains(p[1].ns().id()));
        unmatched.removeIf(e -> !kept.contains(e.ns().id()));

        Map<String, String[]> roles = roles(hostId, networks); // "ns/link" -> {role, network}
        Map<String, List<String>> containers = new HashMap<>();
        for (Recorded r : networks) {
            for (Placed p : r.attachments()) {
                if (p.namespace() != null) {
                    containers.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(r.config().name() + "/" + p.attachment().containerId());
                }
            }
        }
        List<Topology.Namespace> namespaces = new ArrayList<>();
        List<Topology.Link> links = new ArrayList<>();
        List<Topology.Edge> edges = new ArrayList<>();
        for (Seen s : seen) {
            if (!kept.contains(s.id())) {
                continue;
            }
            List<Topology.Route> routes = s.routes().stream().map(Assemble::route).toList();
            namespaces.add(new Topology.Namespace(s.id(), s.name(), s.role(), sorted(containers.getOrDefault(s.id(), List.of())),
                    routes, routes.stream().filter(r -> r.destination().equals("default")).toList()));
            Map<Integer, String> names = new HashMap<>();
            s.links().forEach(l -> names.put(l.index(), l.name().value()));
            for (Link l : s.links()) {
                String[] role = roles.get(s.id() + "/" + l.name().value());
                String r = role != null ? role[0] : "lo".equals(l.name().value()) ? "loopback" : "other";
                List<String> addresses = s.addresses().stream().filter(a -> a.linkIndex() == l.index()).map(a -> a.address().toString()).toList();
                String master = l.masterIndex() == null ? null : names.get(l.masterIndex());
                links.add(new Topology.Link(s.id(), l.index(), l.name().value(), l.kind(), l.up(), l.mac() == null ? null : l.mac().value(),
                        master, addresses, r, role == null ? null : role[1], role == null && !r.equals("loopback")));
                if (master != null) {
                    edges.add(new Topology.Edge("port", new Topology.End(s.id(), l.name().value()), new Topology.End(s.id(), master)));
                }
            }
        }
        for (End[] p : pairs) {
            edges.add(new Topology.Edge("veth", end(p[0]), end(p[1])));
        }
        Map<String, Topology.Namespace> unseen = new LinkedHashMap<>();
        for (End e : unmatched) {
            String nsid = e.link().peerNetnsId() == null ? "?" : e.link().peerNetnsId().toString();
            String id = "nsid-" + nsid + "-of-" + e.ns().id();
            unseen.computeIfAbsent(id, k -> new Topology.Namespace(k, "nsid " + nsid + " of " + e.ns().name(), "unseen", List.of(), List.of(), List.of()));
            String name = "if" + e.link().peerIndex();
            links.add(new Topology.Link(id, e.link().peerIndex(), name, "veth", false, null, null, List.of(), "other", null, true));
            edges.add(new Topology.Edge("veth", end(e), new Topology.End(id, name)));
        }
        namespaces.addAll(unseen.values());
        Map<String, Integer> order = new HashMap<>();
        namespaces.sort(Comparator.comparing((Topology.Namespace n) -> !n.id().equals(hostId)).thenComparing(n -> n.role().equals("unseen"))
                .thenComparing(Topology.Namespace::name));
        for (int i = 0; i < namespaces.size(); i++) {
            order.put(namespaces.get(i).id(), i);
        }
        links.sort(Comparator.comparing((Topology.Link l) -> order.get(l.namespace())).thenComparing(Topology.Link::index));
        edges.sort(Comparator.comparing(Topology.Edge::kind).thenComparing(e -> order.get(e.a().namespace())).thenComparing(e -> e.a().link()));
        return new Topology(hostId, namespaces, links, edges, networks(networks));
    }

    /** Joins veth ends: unambiguous pairs first, which teach each namespace's ids of the others; then the rest by those ids. */
    private static void pair(List<Seen> seen, List<End[]> pairs, List<End> unmatched) {
        Map<String, Map<Integer, String>> nsids = new HashMap<>(); // namespace -> (its id of another -> that one)
        Set<Link> done = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<End> ends = new ArrayList<>();
        for (Seen s : seen) {
            for (Link l : s.links()) {
                if ("veth".equals(l.kind()) && l.peerIndex() != null) {
                    ends.add(new End(s, l));
                }
            }
        }
        List<End> ambiguous = new ArrayList<>();
        for (End e : ends) {
            if (done.contains(e.link())) {
                continue;
            }
            List<End> candidates = candidates(e, ends, done);
            if (candidates.size() == 1) {
                join(e, candidates.get(0), pairs, done, nsids);
            } else {
                ambiguous.add(e);
            }
        }
        for (End e : ambiguous) {
            if (done.contains(e.link())) {
                continue;
            }
            List<End> candidates = candidates(e, ends, done).stream().filter(c -> consistent(e, c, nsids) && consistent(c, e, nsids)).toList();
            if (candidates.size() == 1) {
                join(e, candidates.get(0), pairs, done, nsids);
            } else {
                unmatched.add(e);
            }
        }
    }

    private static List<End> candidates(End e, List<End> ends, Set<Link> done) {
        Link l = e.link();
        List<End> out = new ArrayList<>();
        for (End c : ends) {
            Link m = c.link();
            if (done.contains(m) || m == l || m.index() != l.peerIndex() || !Integer.valueOf(l.index()).equals(m.peerIndex())) {
                continue;
            }
            boolean same = c.ns() == e.ns();
            if (same ? l.peerNetnsId() == null && m.peerNetnsId() == null : l.peerNetnsId() != null && m.peerNetnsId() != null) {
                out.add(c);
            }
        }
        return out;
    }

    private static boolean consistent(End from, End to, Map<String, Map<Integer, String>> nsids) {
        if (from.ns() == to.ns()) {
            return true;
        }
        String known = nsids.getOrDefault(from.ns().id(), Map.of()).get(from.link().peerNetnsId());
        return known == null || known.equals(to.ns().id());
    }

    private static void join(End a, End b, List<End[]> pairs, Set<Link> done, Map<String, Map<Integer, String>> nsids) {
        done.add(a.link());
        done.add(b.link());
        pairs.add(a.ns().id().compareTo(b.ns().id()) <= 0 ? new End[] {a, b} : new End[] {b, a});
        if (a.ns() != b.ns()) {
            nsids.computeIfAbsent(a.ns().id(), k -> new HashMap<>()).put(a.link().peerNetnsId(), b.ns().id());
            nsids.computeIfAbsent(b.ns().id(), k -> new HashMap<>()).put(b.link().peerNetnsId(), a.ns().id());
        }
    }

    /** The host, the containers, and whatever a veth joins to them (a named namespace alone on its own is not shown). */
    private static Set<String> connected(String hostId, Map<String, Seen> byId, List<End[]> pairs) {
        Set<String> kept = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>();
        for (Seen s : byId.values()) {
            if (s.id().equals(hostId) || s.role().equals("container")) {
                todo.add(s.id());
            }
        }
        while (!todo.isEmpty()) {
            String id = todo.poll();
            if (kept.add(id)) {
                for (End[] p : pairs) {
                    if (p[0].ns().id().equals(id)) {
                        todo.add(p[1].ns().id());
                    } else if (p[1].ns().id().equals(id)) {
                        todo.add(p[0].ns().id());
                    }
                }
            }
        }
        return kept;
    }

    private static Map<String, String[]> roles(String hostId, List<Recorded> networks) {
        Map<String, String[]> roles = new HashMap<>();
        for (Recorded r : networks) {
            String net = r.config().name();
            r.config().option("uplink").ifPresent(u -> roles.put(hostId + "/" + u, new String[] {"uplink", net}));
            r.config().option("bridge").ifPresent(b -> roles.put(hostId + "/" + b, new String[] {"bridge", net}));
            for (Placed p : r.attachments()) {
                Attachment a = p.attachment();
                if (a.hostIf() != null) {
                    roles.put(hostId + "/" + a.hostIf().value(), new String[] {"port", net});
                }
                if (p.namespace() != null && a.ifName() != null) {
                    roles.put(p.namespace() + "/" + a.ifName().value(), new String[] {"container", net});
                }
            }
        }
        return roles;
    }

    private static List<Topology.Network> networks(List<Recorded> networks) {
        List<Topology.Network> out = new ArrayList<>();
        for (Recorded r : networks) {
            NetworkConfig c = r.config();
            List<Topology.Published> published = new ArrayList<>();
            for (Placed p : r.attachments()) {
                Attachment a = p.attachment();
                String address = a.addresses().stream().filter(x -> x.isV4()).map(x -> IpAddresses.format(x.address())).findFirst()
                        .orElse(a.addresses().isEmpty() ? null : IpAddresses.format(a.addresses().get(0).address()));
                for (PortMapping m : a.ports()) {
                    published.add(new Topology.Published(a.containerId(), p.namespace(), address, m.toString()));
                }
            }
            out.add(new Topology.Network(c.name(), c.driver(), c.option("bridge").orElse(null), str(c.subnet()),
                    c.gateway() == null ? null : IpAddresses.format(c.gateway()), str(c.subnet6()),
                    c.gateway6() == null ? null : IpAddresses.format(c.gateway6()),
                    c.chain().contains("firewall") && c.flag("masquerade", false), c.option("uplink").orElse(null), r.health(), published,
                    r.features()));
        }
        out.sort(Comparator.comparing(Topology.Network::name));
        return out;
    }

    private static Topology.End end(End e) {
        return new Topology.End(e.ns().id(), e.link().name().value());
    }

    private static Topology.Route route(dev.patchbay.core.model.Route r) {
        return new Topology.Route(r.isDefault() ? "default" : r.destination().toString(),
                r.gateway() == null ? null : IpAddresses.format(r.gateway()), r.device() == null ? null : r.device().value());
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
    }
}
