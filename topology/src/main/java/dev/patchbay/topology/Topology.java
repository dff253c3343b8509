package dev.patchbay.topology;

import dev.patchbay.orchestrator.network.NetworkFeatures;
import java.util.List;

/**
 * What {@code patchbay topology} shows, and its JSON shape ({@code -o json}), which scripts may rely on: members are
 * only ever added. Every list is sorted (namespaces: the host first, then by name; links: by namespace, then index), so
 * the same kernel gives the same document.
 *
 * @param host       the id of the host namespace (the one {@code -n} named)
 * @param namespaces the host's, every container's Patchbay's records put on its networks, every named one a veth joins to them
 * @param links      every link of those namespaces
 * @param edges      veth pairs ({@code veth}, across namespaces or inside one) and bridge ports ({@code port}: from the port to its bridge)
 * @param networks   the networks that live in the host namespace, from Patchbay's records
 */
public record Topology(String host, List<Namespace> namespaces, List<Link> links, List<Edge> edges, List<Network> networks) {

    /**
     * A namespace.
     *
     * @param id         unique in the document; links and edges name it
     * @param name       its name under /run/netns, the host's {@code -n} value, or the container's id
     * @param role       {@code host}, {@code container} (Patchbay's records put it on a network), {@code other} (a named
     *                   namespace a veth joins, Patchbay knows nothing of it) or {@code unseen} (a veth's peer is in a
     *                   namespace that has no name here; {@code name} is {@code nsid N} as the peer's side sees it)
     * @param containers the containers Patchbay attached there, {@code NETWORK/CONTAINER}
     * @param routes     its main table's routes; {@code defaults} repeats the default ones
     */
    public record Namespace(String id, String name, String role, List<String> containers, List<Route> routes, List<Route> defaults) {
    }

    /**
     * A link.
     *
     * @param kind    the kernel's ({@code bridge}, {@code veth}, ...), null for a plain device such as {@code lo}
     * @param master  the bridge it is a port of (in its namespace), or null
     * @param role    {@code bridge} (a network's), {@code port} (a container's host end), {@code uplink} (a network's),
     *                {@code container} (a container's interface), {@code loopback}, or {@code other}
     * @param network the network the role is of, or null
     * @param foreign true when Patchbay's records neither made it nor name it
     */
    public record Link(String namespace, int index, String name, String kind, boolean up, String mac, String master,
                       List<String> addresses, String role, String network, boolean foreign) {
    }

    /** A route: destination ({@code default} for 0.0.0.0/0 and ::/0), gateway and device, null when not set. */
    public record Route(String destination, String gateway, String device) {
    }

    /** One end of an edge. */
    public record End(String namespace, String link) {
    }

    /**
     * {@code veth}: {@code a} and {@code b} are the pair's ends; {@code port}: {@code a} is the port, {@code b} its bridge.
     */
    public record Edge(String kind, End a, End b) {
    }

    /**
     * A network living in the host namespace, as recorded.
     *
     * @param health    as {@code network ls} says it
     * @param masquerade true when its traffic leaving by {@code uplink} (any link when null) is masqueraded
     * @param published each published port: the container, its address, the mapping ({@code 8080:80/tcp})
     * @param features  what other bundles add to it ({@code dns}: its server and names; {@code service}: a virtual
     *                  address and its backends): kind, title, lines, data
     */
    public record Network(String name, String driver, String bridge, String subnet, String gateway, String subnet6,
                          String gateway6, boolean masquerade, String uplink, String health, List<Published> published,
                          List<NetworkFeatures.Feature> features) {
    }

    /** A published port of one container. */
    public record Published(String container, String namespace, String address, String mapping) {
    }
}
