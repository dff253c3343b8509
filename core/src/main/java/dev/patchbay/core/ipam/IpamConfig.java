package dev.patchbay.core.ipam;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Route;
import java.util.Arrays;
import java.util.List;

/**
 * What a network hands out: one address per range set (two sets for dual-stack), never an address inside
 * {@code exclude} (single addresses are /32 or /128 prefixes); {@code routes} and {@code dns} are passed through to
 * every {@link Allocation}.
 */
public record IpamConfig(List<RangeSet> rangeSets, List<IpPrefix> exclude, List<Route> routes, Dns dns) {
    public IpamConfig {
        if (rangeSets == null || rangeSets.isEmpty()) {
            throw new InvalidInputException("ranges", "[]", "at least one range (subnet) is required");
        }
        rangeSets = List.copyOf(rangeSets);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        routes = routes == null ? List.of() : List.copyOf(routes);
        dns = dns == null ? Dns.NONE : dns;
    }

    /** One range set per subnet, defaults everywhere: {@code ofSubnets(10.0.0.0/24, fd00::/64)} is dual-stack. */
    public static IpamConfig ofSubnets(IpPrefix... subnets) {
        return new IpamConfig(Arrays.stream(subnets).map(s -> RangeSet.of(IpRange.of(s))).toList(), null, null, null);
    }

    public static IpamConfig of(RangeSet... sets) {
        return new IpamConfig(List.of(sets), null, null, null);
    }

    public IpamConfig withExclude(List<IpPrefix> excluded) {
        return new IpamConfig(rangeSets, excluded, routes, dns);
    }

    public IpamConfig withRoutes(List<Route> newRoutes, Dns newDns) {
        return new IpamConfig(rangeSets, exclude, newRoutes, newDns);
    }
}
