package dev.patchbay.core.model;

/**
 * A change the kernel announced in one namespace: a link, address, route or neighbour (since 1.5) that appeared, changed
 * or went away; one of {@code link}, {@code address}, {@code route}, {@code neighbour} is set, by {@code type}.
 *
 * @param linkIndex the link the event concerns (the link itself, the address's link, the route's output link, the
 *                  neighbour's device), or 0
 */
public record NetEvent(Type type, int linkIndex, Link link, IpPrefix address, Route route, Neighbour neighbour) {

    public NetEvent(Type type, int linkIndex, Link link, IpPrefix address, Route route) {
        this(type, linkIndex, link, address, route, null);
    }

    /** What happened. NEW also reports changes to an existing link, route or neighbour (a new state, a new MAC). */
    public enum Type {
        LINK_NEW, LINK_DEL, ADDR_NEW, ADDR_DEL, ROUTE_NEW, ROUTE_DEL, NEIGH_NEW, NEIGH_DEL
    }
}
