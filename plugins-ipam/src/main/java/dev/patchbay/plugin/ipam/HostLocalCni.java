package dev.patchbay.plugin.ipam;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.ipam.RangeSet;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Route;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CNI IPAM type {@code host-local} ({@link Ipam#cniIpam}): the {@code ipam} object's {@code subnet},
 * {@code rangeStart}, {@code rangeEnd}, {@code gateway} (a range set of its own, first) and {@code ranges} (sets of
 * ranges), {@code routes} ({@code dst}, {@code gw}), {@code dataDir} (default {@link #DEFAULT_DATA_DIR}). A range's
 * subnet is taken as its network (10.0.0.7/24 is 10.0.0.0/24), its gateway defaults to the first host. Another IPAM type
 * is not served; a wrong value names its field ({@code ipam.ranges[0][0].subnet}).
 */
final class HostLocalCni {
    /** host-local's default data directory. */
    static final String DEFAULT_DATA_DIR = "/var/lib/cni/networks";

    private HostLocalCni() {
    }

    static Ipam.CniIpam map(Map<String, Object> ipam) {
        Object type = ipam.get("type");
        if (!"host-local".equals(type)) {
            String why = type == null || "".equals(type) ? "no IPAM type" : "IPAM type \"" + type + "\"";
            throw new UnavailableException(why, new InvalidInputException("ipam.type", type, why));
        }
        List<RangeSet> sets = new ArrayList<>();
        if (ipam.get("subnet") != null) {
            sets.add(RangeSet.of(range(ipam, "ipam.")));
        }
        Object ranges = ipam.get("ranges");
        if (ranges != null && !(ranges instanceof List<?>)) {
            throw new InvalidInputException("ipam.ranges", ranges, "must be a list");
        }
        List<?> all = ranges == null ? List.of() : (List<?>) ranges;
        for (int i = 0; i < all.size(); i++) {
            String field = "ipam.ranges[" + i + "]";
            if (!(all.get(i) instanceof List<?> set) || set.isEmpty()) {
                throw new InvalidInputException(field, all.get(i), "must be a non-empty list of ranges");
            }
            List<IpRange> in = new ArrayList<>();
            for (int j = 0; j < set.size(); j++) {
                if (!(set.get(j) instanceof Map<?, ?> r)) {
                    throw new InvalidInputException(field + "[" + j + "]", set.get(j), "must be an object");
                }
                in.add(range(r, field + "[" + j + "]."));
            }
            sets.add(new RangeSet(in));
        }
        if (sets.isEmpty()) {
            throw new InvalidInputException("ipam", null, "has neither subnet nor ranges");
        }
        return new Ipam.CniIpam(new IpamConfig(sets, null, routes(ipam), null), dataDir(ipam));
    }

    private static IpRange range(Map<?, ?> r, String at) {
        IpPrefix subnet = prefix(r, at, "subnet");
        if (subnet == null) {
            throw new InvalidInputException(at + "subnet", null, "is required");
        }
        subnet = subnet.network();
        int maxLen = subnet.isV4() ? 30 : 126;
        if (subnet.length() > maxLen) {
            throw new InvalidInputException(at + "subnet", subnet, "is too small for a gateway and a container (at most /" + maxLen + ")");
        }
        InetAddress start = inside(r, at, "rangeStart", subnet);
        InetAddress end = inside(r, at, "rangeEnd", subnet);
        if (start != null && end != null && IpAddresses.toBigInteger(start).compareTo(IpAddresses.toBigInteger(end)) > 0) {
            throw new InvalidInputException(at + "rangeStart", IpAddresses.format(start), "comes after rangeEnd " + IpAddresses.format(end));
        }
        InetAddress gateway = inside(r, at, "gateway", subnet);
        if (gateway == null) {
            gateway = IpAddresses.add(subnet.address(), 1);
        } else if (gateway.equals(subnet.address()) || (subnet.isV4() && gateway.equals(subnet.last()))) {
            throw new InvalidInputException(at + "gateway", IpAddresses.format(gateway), "is the network or broadcast address of " + subnet);
        }
        return new IpRange(subnet, start, end, gateway);
    }

    private static List<Route> routes(Map<String, Object> ipam) {
        Object routes = ipam.get("routes");
        if (routes != null && !(routes instanceof List<?>)) {
            throw new InvalidInputException("ipam.routes", routes, "must be a list");
        }
        List<Route> out = new ArrayList<>();
        List<?> all = routes == null ? List.of() : (List<?>) routes;
        for (int i = 0; i < all.size(); i++) {
            String at = "ipam.routes[" + i + "].";
            if (!(all.get(i) instanceof Map<?, ?> r)) {
                throw new InvalidInputException("ipam.routes[" + i + "]", all.get(i), "must be an object");
            }
            IpPrefix dst = prefix(r, at, "dst");
            if (dst == null) {
                throw new InvalidInputException(at + "dst", null, "is required");
            }
            InetAddress gw = address(r, at, "gw");
            if (gw != null && Family.of(gw) != dst.family()) {
                throw new InvalidInputException(at + "gw", IpAddresses.format(gw), "is not of the family of " + dst);
            }
            out.add(new Route(dst.network(), gw, null, null, null, null, null));
        }
        return out;
    }

    private static Path dataDir(Map<String, Object> ipam) {
        String dir = text(ipam, "ipam.", "dataDir");
        if (dir != null && !dir.startsWith("/")) {
            throw new InvalidInputException("ipam.dataDir", dir, "must be an absolute path");
        }
        return Path.of(dir == null ? DEFAULT_DATA_DIR : dir);
    }

    private static InetAddress inside(Map<?, ?> r, String at, String key, IpPrefix subnet) {
        InetAddress a = address(r, at, key);
        if (a != null && !subnet.contains(a)) {
            throw new InvalidInputException(at + key, IpAddresses.format(a), "is not inside " + subnet);
        }
        return a;
    }

    private static IpPrefix prefix(Map<?, ?> r, String at, String key) {
        String text = text(r, at, key);
        try {
            return text == null ? null : IpPrefix.parse(at + key, text);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(at + key, text, "is not an address with a prefix length (CIDR)");
        }
    }

    private static InetAddress address(Map<?, ?> r, String at, String key) {
        String text = text(r, at, key);
        try {
            return text == null ? null : IpAddresses.parse(at + key, text);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(at + key, text, "is not an IP address");
        }
    }

    /** A string that, when present, is not empty (host-local treats "" as absent). */
    private static String text(Map<?, ?> r, String at, String key) {
        Object v = r.get(key);
        if (v != null && !(v instanceof String)) {
            throw new InvalidInputException(at + key, v, "must be a string");
        }
        return v == null || ((String) v).isEmpty() ? null : (String) v;
    }
}
