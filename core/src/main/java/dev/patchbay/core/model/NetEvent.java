package dev.patchbay.core.model;

/**
 * A change the kernel announced in one namespace: a link, address or route that appeared, changed or went away; one of
 * {@code link}, {@code address}, {@code route} is set, by {@code type}.
 *
 * @param linkIndex the link the event concerns (the link itself, the address's link, the route's output link), or 0
 */
public record NetEvent(Type type, int linkIndex, Link link, IpPrefix address, Route route) {

    /** What happened. NEW also reports changes to an existing link or route. */
    public enum Type {
        LINK_NEW, LINK_DEL, ADDR_NEW, ADDR_DEL, ROUTE_NEW, ROUTE_DEL
    }
}
