package dev.patchbay.topology;

import java.util.ArrayList;
import java.util.List;

/**
 * The default view: one block per namespace (its links with kind, state, master, addresses, what they are to Patchbay
 * and, for a veth, the other end; its default routes), then the networks with their published ports and what other
 * bundles add to them (DNS, services).
 */
final class TextRender {
    private TextRender() {
    }

    static String render(Topology t) {
        Views v = new Views(t);
        StringBuilder out = new StringBuilder();
        for (Topology.Namespace n : t.namespaces()) {
            out.append(n.name()).append("  (").append(Views.what(n)).append(")\n");
            List<String[]> rows = new ArrayList<>();
            for (Topology.Link l : v.links(n.id())) {
                String peer = v.peer(n.id(), l.name()).map(e -> "<-> " + v.namespace(e.namespace()).name() + " " + e.link()).orElse("");
                List<String> addr = new ArrayList<>(l.addresses());
                if (l.master() != null) {
                    addr.add(0, "master " + l.master());
                }
                rows.add(new String[] {l.name(), l.kind() == null ? "-" : l.kind(), l.up() ? "up" : "down",
                        addr.isEmpty() ? "-" : String.join(" ", addr), Views.role(l), peer});
            }
            table(out, rows);
            for (String d : Views.defaults(n)) {
                out.append("  ").append(d).append('\n');
            }
            out.append('\n');
        }
        if (t.networks().isEmpty()) {
            out.append("no networks in this namespace\n");
        } else {
            out.append("networks\n");
        }
        for (Topology.Network net : t.networks()) {
            out.append("  ").append(net.name()).append("  ").append(net.driver());
            if (net.bridge() != null) {
                out.append(" ").append(net.bridge());
            }
            out.append("  ").append(net.subnet());
            if (net.gateway() != null) {
                out.append(" gateway ").append(net.gateway());
            }
            if (net.subnet6() != null) {
                out.append("  ").append(net.subnet6()).append(net.gateway6() == null ? "" : " gateway " + net.gateway6());
            }
            if (net.masquerade()) {
                out.append("  masquerade out of ").append(net.uplink() == null ? "any link" : net.uplink());
            }
            out.append("  ").append(net.health()).append('\n');
            for (Topology.Published p : net.published()) {
                out.append("    published ").append(p.mapping()).append(" -> ").append(p.container())
                        .append(p.address() == null ? "" : " " + p.address()).append('\n');
            }
            for (var f : net.features()) {
                out.append("    ").append(f.title()).append('\n');
                f.lines().forEach(l -> out.append("      ").append(l).append('\n'));
            }
        }
        return out.toString();
    }

    private static void table(StringBuilder out, List<String[]> rows) {
        if (rows.isEmpty()) {
            out.append("  (no links)\n");
            return;
        }
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]).append(" ".repeat(w[i] - r[i].length() + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
