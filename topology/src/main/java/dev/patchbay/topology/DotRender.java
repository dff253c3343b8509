package dev.patchbay.topology;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Graphviz DOT drawn like the tutorials' diagrams: each namespace a box (a cluster) titled with its name and default
 * route; its links boxes inside it, named with their addresses; a bridge's ports joined to it; veth pairs as thick
 * lines between the namespaces' boxes; published ports as notes in the host's box pointing at their container. What
 * Patchbay did not make is grey and dashed, marked "foreign". The loopback and IPv6 link-local addresses are left out
 * (text and JSON keep them).
 */
final class DotRender {
    private final Topology t;
    private final Views v;
    /** Each drawn link's node id, by "namespace id/link name"; each published port's note, by "published/pubN". */
    private final Map<String, String> ids = new HashMap<>();
    private final StringBuilder out = new StringBuilder();

    private DotRender(Topology t) {
        this.t = t;
        this.v = new Views(t);
    }

    static String render(Topology t) {
        return new DotRender(t).draw();
    }

    /** The namespaces' boxes first (they name the nodes), then the lines between them. */
    private String draw() {
        out.append("digraph topology {\n")
                .append("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, nodesep=0.35, ranksep=0.9, newrank=true];\n")
                .append("  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", fontsize=11];\n")
                .append("  edge [dir=none, fontname=\"Helvetica\", fontsize=10];\n");
        int c = 0;
        for (Topology.Namespace n : t.namespaces()) {
            namespace(n, c++);
        }
        edges();
        routes();
        publishedArrows();
        out.append("}\n");
        return out.toString();
    }

    /** Namespace {@code n} as cluster {@code c}: its title, its links and, in the host's, the published ports' notes. */
    private void namespace(Topology.Namespace n, int c) {
        out.append("  subgraph cluster_").append(c).append(" {\n");
        StringBuilder title = new StringBuilder(n.name() + "\n" + Views.what(n));
        Views.defaults(n).forEach(d -> title.append('\n').append(d));
        out.append("    label=").append(q(title.toString())).append("; labeljust=l; style=\"rounded,filled")
                .append(n.role().equals("unseen") || n.role().equals("other") ? ",dashed" : "").append("\"; fillcolor=")
                .append(q(fill(n.role()))).append(";\n");
        int k = 0;
        for (Topology.Link l : v.links(n.id())) {
            String id = "n" + c + "_" + k++;
            ids.put(n.id() + "/" + l.name(), id);
            out.append("    ").append(id).append(" [label=").append(q(label(l, t))).append(", fillcolor=").append(q(color(l)))
                    .append(l.foreign() ? ", style=\"rounded,filled,dashed\", fontcolor=\"#555555\"" : "")
                    .append(l.role().equals("bridge") ? ", penwidth=2" : "").append("];\n");
        }
        if (n.id().equals(t.host())) {
            publishedNotes();
        }
        if (k == 0) {
            out.append("    e").append(c).append(" [label=\"(no links)\", shape=plaintext, style=\"\"];\n");
        }
        out.append("  }\n");
    }

    /** Each published port a note pubN (numbered over all networks, as {@link #publishedArrows} reads them); each feature a note. */
    private void publishedNotes() {
        int p = 0;
        for (Topology.Network net : t.networks()) {
            for (Topology.Published pub : net.published()) {
                String id = "pub" + p++;
                ids.put("published/" + id, id);
                out.append("    ").append(id).append(" [shape=note, style=filled, fillcolor=\"#fff7d6\", label=")
                        .append(q("published " + pub.mapping() + "\nDNAT to " + pub.container()
                                + (pub.address() == null ? "" : " " + pub.address()))).append("];\n");
            }
        }
        int f = 0;
        for (Topology.Network net : t.networks()) { // DNS, services: a note each, beside the published ports
            for (var feature : net.features()) {
                StringBuilder label = new StringBuilder(net.name() + ": " + feature.title());
                feature.lines().stream().limit(12).forEach(l -> label.append('\n').append(l));
                if (feature.lines().size() > 12) {
                    label.append("\n(").append(feature.lines().size() - 12).append(" more)");
                }
                out.append("    feat").append(f++).append(" [shape=note, style=filled, fillcolor=\"#e8f4e8\", label=")
                        .append(q(label.toString())).append("];\n");
            }
        }
    }

    /** Bridge ports to their bridge; veth pairs left to right: the outside, the host, its containers. */
    private void edges() {
        for (Topology.Edge e : t.edges()) {
            String a = ids.get(e.a().namespace() + "/" + e.a().link());
            String b = ids.get(e.b().namespace() + "/" + e.b().link());
            if (a == null || b == null) {
                continue; // an end the picture leaves out (the loopback)
            }
            if (e.kind().equals("port")) {
                out.append("  ").append(b).append(" -> ").append(a).append(" [color=\"#b08000\", penwidth=1.5];\n");
            } else { // left to right: the outside, the host, its containers
                boolean outward = !towardsContainer(v, e.a(), e.b(), t.host()) && towardsContainer(v, e.b(), e.a(), t.host());
                out.append("  ").append(outward ? b : a).append(" -> ").append(outward ? a : b)
                        .append(" [penwidth=2.5, color=\"#3060c0\", label=\"veth pair\"];\n");
            }
        }
    }

    /** The host routes between a network's uplink and its bridge. */
    private void routes() {
        for (Topology.Network net : t.networks()) {
            String up = net.uplink() == null ? null : ids.get(t.host() + "/" + net.uplink());
            String br = net.bridge() == null ? null : ids.get(t.host() + "/" + net.bridge());
            if (up != null && br != null) {
                out.append("  ").append(up).append(" -> ").append(br).append(" [style=dotted, penwidth=1.5, label=")
                        .append(q("routed")).append("];\n");
            }
        }
    }

    /** Each published port's note pointing at its container's link in that network. */
    private void publishedArrows() {
        int p = 0;
        for (Topology.Network net : t.networks()) {
            for (Topology.Published pub : net.published()) {
                String target = null;
                if (pub.namespace() != null) {
                    target = v.links(pub.namespace()).stream().filter(l -> l.role().equals("container") && net.name().equals(l.network()))
                            .map(l -> ids.get(pub.namespace() + "/" + l.name())).findFirst().orElse(null);
                }
                String id = "pub" + p++;
                if (target != null) {
                    out.append("  ").append(id).append(" -> ").append(target)
                            .append(" [style=dashed, dir=forward, arrowsize=0.7, color=\"#a07000\"];\n");
                }
            }
        }
    }

    /**
     * Whether an edge from {@code from} to {@code to} runs the way the picture reads: from the host towards a container,
     * from anything else (the outside behind an uplink, a foreign namespace) towards the host.
     */
    private static boolean towardsContainer(Views v, Topology.End from, Topology.End to, String host) {
        String toRole = v.namespace(to.namespace()).role();
        return toRole.equals("container") || (to.namespace().equals(host) && !v.namespace(from.namespace()).role().equals("container"));
    }

    private static String label(Topology.Link l, Topology t) {
        StringBuilder s = new StringBuilder(l.name());
        String role = Views.role(l);
        s.append("\n").append(l.kind() == null ? "device" : l.kind()).append(role.isEmpty() ? "" : ", " + role)
                .append(l.up() ? "" : ", DOWN");
        l.addresses().stream().filter(a -> !linkLocal(a)).forEach(a -> s.append('\n').append(a));
        if (l.role().equals("uplink")) {
            for (Topology.Network n : t.networks()) {
                if (n.masquerade() && l.name().equals(n.uplink())) {
                    s.append("\nmasquerade ").append(n.subnet()).append(n.subnet6() == null ? "" : ", " + n.subnet6());
                }
            }
        }
        if (l.role().equals("bridge")) {
            for (Topology.Network n : t.networks()) {
                if (l.name().equals(n.bridge()) && n.masquerade() && n.uplink() == null) {
                    s.append("\nmasquerade out of any link");
                }
            }
        }
        return s.toString();
    }

    /** fe80::/10: the kernel gives every IPv6 link one; the tutorials' pictures leave them out, so does this one. */
    static boolean linkLocal(String prefix) {
        String p = prefix.toLowerCase(java.util.Locale.ROOT);
        return p.startsWith("fe8") || p.startsWith("fe9") || p.startsWith("fea") || p.startsWith("feb");
    }

    private static String fill(String role) {
        return switch (role) {
            case "host" -> "#e8f0fb";
            case "container" -> "#e9f7e9";
            default -> "#f2f2f2";
        };
    }

    private static String color(Topology.Link l) {
        if (l.foreign()) {
            return "#e4e4e4";
        }
        return switch (l.role()) {
            case "bridge" -> "#ffe08a";
            case "uplink" -> "#cfe0ff";
            default -> "white";
        };
    }

    /** A DOT string: quotes and backslashes escaped, line breaks as {@code \n}. */
    static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    static List<String> formats() {
        return List.of("text", "dot", "svg", "json");
    }
}
