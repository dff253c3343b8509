package dev.patchbay.core.ipam;

import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Route;
import java.net.InetAddress;
import java.util.List;

/** The result of {@link Ipam#allocate}: one address per range set, in set order, plus routes and DNS from the config. */
public record Allocation(List<Address> addresses, List<Route> routes, Dns dns) {
    public Allocation {
        addresses = List.copyOf(addresses);
        routes = routes == null ? List.of() : List.copyOf(routes);
        dns = dns == null ? Dns.NONE : dns;
    }

    /**
     * One address: {@code address} carries the subnet's prefix length (e.g. {@code 10.0.0.2/24}); {@code gateway}
     * is the range's gateway; {@code rangeSet} the index of the set it came from.
     */
    public record Address(IpPrefix address, InetAddress gateway, int rangeSet) {
    }
}
