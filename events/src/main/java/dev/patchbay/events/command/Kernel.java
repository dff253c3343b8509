package dev.patchbay.events.command;

import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.NetEvent;
import dev.patchbay.core.model.Route;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kernel's notifications of one namespace as {@link Line}s: {@code link-new} (also a change), {@code link-del},
 * {@code addr-new}, {@code addr-del}, {@code route-new}, {@code route-del}, {@code neigh-new} (also a new state or MAC),
 * {@code neigh-del}. Remembers link names by index, so an address
 * or route event names its link (and a deleted link's last events still do).
 */
final class Kernel {
    private final Map<Integer, String> names = new ConcurrentHashMap<>();

    /** The links there when the monitor started. */
    void know(List<Link> links) {
        links.forEach(l -> names.put(l.index(), l.name().value()));
    }

    Line line(NetEvent e, Instant at) {
        String type = e.type().name().toLowerCase(Locale.ROOT).replace('_', '-');
        Link l = e.link();
        if (l != null) {
            names.put(l.index(), l.name().value());
            String detail = "index " + l.index() + (l.kind() == null ? "" : " " + l.kind()) + (l.up() ? " up" : " down");
            return new Line(at, Line.KERNEL, type, null, null, l.name().value(), detail);
        }
        String link = e.linkIndex() == 0 ? null : names.get(e.linkIndex());
        if (e.address() != null) {
            return new Line(at, Line.KERNEL, type, null, null, link, e.address().toString());
        }
        if (e.neighbour() != null) {
            var n = e.neighbour();
            return new Line(at, Line.KERNEL, type, null, null, n.device().value(), IpAddresses.format(n.address())
                    + (n.mac() == null ? "" : " lladdr " + n.mac().value()) + (n.permanent() ? " permanent" : ""));
        }
        Route r = e.route();
        String detail = r == null ? null : (r.isDefault() ? "default" : String.valueOf(r.destination()))
                + (r.gateway() == null ? "" : " via " + IpAddresses.format(r.gateway()))
                + (r.device() == null ? "" : " dev " + r.device().value())
                + (r.table() == null ? "" : " table " + r.table());
        return new Line(at, Line.KERNEL, type, null, null, link == null && r != null && r.device() != null ? r.device().value() : link, detail);
    }
}
