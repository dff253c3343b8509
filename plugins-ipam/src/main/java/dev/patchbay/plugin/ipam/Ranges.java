package dev.patchbay.plugin.ipam;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.ipam.RangeSet;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Route;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A checked {@link IpamConfig}: every range resolved to a {@link Span} with host-local's defaults (start: first
 * host; end: last host, before the IPv4 broadcast; gateway: first host). Pure: {@link #resolve} never touches disk.
 */
final class Ranges {
    private final List<List<Span>> sets;
    private final List<IpPrefix> exclude;
    private final IpamConfig config;

    private Ranges(IpamConfig config, List<List<Span>> sets) {
        this.config = config;
        this.sets = sets;
        this.exclude = config.exclude();
    }

    IpamConfig config() {
        return config;
    }

    List<List<Span>> sets() {
        return sets;
    }

    static Ranges resolve(IpamConfig config) {
        List<List<Span>> sets = new ArrayList<>();
        List<Span> all = new ArrayList<>();
        for (int s = 0; s < config.rangeSets().size(); s++) {
            RangeSet set = config.rangeSets().get(s);
            List<Span> spans = new ArrayList<>();
            for (int r = 0; r < set.ranges().size(); r++) {
                Span span = span(s, r, set.ranges().get(r));
                if (!spans.isEmpty() && spans.get(0).family() != span.family()) {
                    throw new InvalidInputException("ranges[" + s + "]", set.ranges().stream().map(IpRange::toString)
                            .collect(Collectors.joining(", ")), "a range set must not mix IPv4 and IPv6");
                }
                for (Span other : all) {
                    if (other.overlaps(span)) {
                        throw new InvalidInputException(field(s, r), span, "overlaps " + field(other.set(), other.index())
                                + " (" + other + ")");
                    }
                }
                spans.add(span);
                all.add(span);
            }
            sets.add(List.copyOf(spans));
        }
        for (int i = 0; i < config.exclude().size(); i++) {
            if (config.exclude().get(i) == null) {
                throw new InvalidInputException("exclude[" + i + "]", null, "must be an address or prefix");
            }
        }
        for (int i = 0; i < config.routes().size(); i++) {
            Route route = config.routes().get(i);
            if (route == null || route.destination() == null) {
                throw new InvalidInputException("routes[" + i + "].dst", null, "is required");
            }
            if (route.gateway() != null && Family.of(route.gateway()) != route.destination().family()) {
                throw new InvalidInputException("routes[" + i + "].gw", IpAddresses.format(route.gateway()),
                        "is not of the family of " + route.destination());
            }
        }
        return new Ranges(config, List.copyOf(sets));
    }

    static String field(int set, int range) {
        return "ranges[" + set + "][" + range + "]";
    }

    private static Span span(int s, int r, IpRange range) {
        IpPrefix subnet = range.subnet();
        String f = field(s, r);
        int bits = subnet.family().bits();
        if (!subnet.isNetwork()) {
            throw new InvalidInputException(f + ".subnet", subnet, "has host bits set; did you mean " + subnet.network() + "?");
        }
        if (subnet.length() > bits - 2) {
            throw new InvalidInputException(f + ".subnet", subnet, "is too small to allocate from: the prefix length "
                    + "must be at most " + (bits - 2));
        }
        BigInteger network = IpAddresses.toBigInteger(subnet.address());
        BigInteger last = IpAddresses.toBigInteger(subnet.last());
        BigInteger firstHost = network.add(BigInteger.ONE);
        BigInteger lastHost = subnet.isV4() ? last.subtract(BigInteger.ONE) : last;
        BigInteger start = bound(f + ".rangeStart", range.rangeStart(), subnet, firstHost, lastHost, firstHost);
        BigInteger end = bound(f + ".rangeEnd", range.rangeEnd(), subnet, firstHost, lastHost, lastHost);
        if (start.compareTo(end) > 0) {
            throw new InvalidInputException(f + ".rangeEnd", IpAddresses.format(range.rangeEnd()),
                    "is before rangeStart " + IpAddresses.format(IpAddresses.fromBigInteger(start, subnet.family())));
        }
        BigInteger gateway = firstHost;
        if (range.gateway() != null) {
            if (!subnet.contains(range.gateway())) {
                throw new InvalidInputException(f + ".gateway", IpAddresses.format(range.gateway()), "is not in subnet " + subnet);
            }
            gateway = IpAddresses.toBigInteger(range.gateway());
        }
        return new Span(s, r, subnet, start, end, gateway);
    }

    private static BigInteger bound(String field, InetAddress given, IpPrefix subnet, BigInteger firstHost,
                                    BigInteger lastHost, BigInteger dflt) {
        if (given == null) {
            return dflt;
        }
        BigInteger v = IpAddresses.toBigInteger(given);
        if (!subnet.contains(given) || v.compareTo(firstHost) < 0 || v.compareTo(lastHost) > 0) {
            throw new InvalidInputException(field, IpAddresses.format(given), "is not a host address of subnet " + subnet
                    + (subnet.isV4() ? " (the network and broadcast addresses are never handed out)" : ""));
        }
        return v;
    }

    boolean excluded(InetAddress address) {
        for (IpPrefix p : exclude) {
            if (p.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The range set each requested address belongs to; InvalidInputException for one that fits nowhere. */
    Map<Integer, InetAddress> placeRequested(List<InetAddress> requested, String network) {
        Map<Integer, InetAddress> placed = new LinkedHashMap<>();
        for (InetAddress ip : requested) {
            String text = ip == null ? null : IpAddresses.format(ip);
            Span span = ip == null ? null : sets.stream().flatMap(List::stream).filter(sp -> sp.contains(ip)).findFirst().orElse(null);
            if (span == null) {
                throw new InvalidInputException("requested address", text, "is not in any range of network \"" + network
                        + "\" (" + sets.stream().flatMap(List::stream).map(Span::toString).collect(Collectors.joining(", ")) + ")");
            }
            if (span.gatewayAddress().equals(ip)) {
                throw new InvalidInputException("requested address", text, "is the gateway of " + span.subnet());
            }
            if (excluded(ip)) {
                throw new InvalidInputException("requested address", text, "is excluded on network \"" + network + "\"");
            }
            InetAddress before = placed.putIfAbsent(span.set(), ip);
            if (before != null) {
                throw new InvalidInputException("requested address", text, "range set " + span.set() + " already gets "
                        + IpAddresses.format(before) + "; one address per range set");
            }
        }
        return placed;
    }
}
