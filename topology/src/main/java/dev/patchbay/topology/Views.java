package dev.patchbay.topology;

import java.util.List;
import java.util.Optional;

/** Look-ups over a {@link Topology} the renderings share. */
final class Views {
    private final Topology t;

    Views(Topology t) {
        this.t = t;
    }

    /** The other end of the veth pair {@code link} of {@code ns} is one end of. */
    Optional<Topology.End> peer(String ns, String link) {
        for (Topology.Edge e : t.edges()) {
            if (e.kind().equals("veth")) {
                if (e.a().namespace().equals(ns) && e.a().link().equals(link)) {
                    return Optional.of(e.b());
                }
                if (e.b().namespace().equals(ns) && e.b().link().equals(link)) {
                    return Optional.of(e.a());
                }
            }
        }
        return Optional.empty();
    }

    Topology.Namespace namespace(String id) {
        return t.namespaces().stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
    }

    Optional<Topology.Link> link(String ns, String name) {
        return t.links().stream().filter(l -> l.namespace().equals(ns) && l.name().equals(name)).findFirst();
    }

    List<Topology.Link> links(String ns) {
        return t.links().stream().filter(l -> l.namespace().equals(ns) && !l.role().equals("loopback")).toList();
    }

    /** {@code default via GW dev DEV}, one per default route. */
    static List<String> defaults(Topology.Namespace n) {
        return n.defaults().stream().map(r -> "default" + (r.gateway() == null ? "" : " via " + r.gateway())
                + (r.device() == null ? "" : " dev " + r.device())).toList();
    }

    /** What the namespace is: {@code host namespace}, {@code container web/red}, ... */
    static String what(Topology.Namespace n) {
        return switch (n.role()) {
            case "host" -> "host namespace";
            case "container" -> "container " + String.join(", ", n.containers());
            case "unseen" -> "a namespace not named here";
            default -> "namespace Patchbay did not make";
        };
    }

    /** What the link is to Patchbay: {@code bridge of web}, {@code port of web}, {@code foreign}, ... */
    static String role(Topology.Link l) {
        if (l.network() != null) {
            return switch (l.role()) {
                case "port" -> "port of " + l.network();
                case "container" -> "on " + l.network();
                default -> l.role() + " of " + l.network();
            };
        }
        return l.foreign() ? "foreign" : "";
    }
}
