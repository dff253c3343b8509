package dev.patchbay.cni;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.NetworkConfig;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code ipam} object of a configuration, host-local's keys: {@code subnet}, {@code rangeStart},
 * {@code rangeEnd}, {@code gateway} or {@code ranges} (one range per set, at most an IPv4 and an IPv6 set: what a
 * Patchbay network holds), {@code routes}, {@code dataDir}. Other IPAM types, several ranges in a set or IPv6 alone
 * are not served ({@link Unserved}); a wrong value is code 7 naming its field.
 */
record IpamConf(Range v4, Range v6, List<RouteConf> routes, String dataDir) {
    /** host-local's default data directory. */
    static final String DEFAULT_DATA_DIR = "/var/lib/cni/networks";

    /** One range: {@code field} names it in messages ({@code ipam} or {@code ipam.ranges[1][0]}). */
    record Range(IpPrefix subnet, InetAddress start, InetAddress end, InetAddress gateway, String field) {
        /** {@code START-END} as the network's {@code ipam.range} option takes it, or null for the whole subnet. */
        String option() {
            if (start == null && end == null) {
                return null;
            }
            return (start == null ? "" : IpAddresses.format(start)) + "-" + (end == null ? "" : IpAddresses.format(end));
        }
    }

    /** A route as host-local passes it on: a destination, and a next hop or none (the range's gateway). */
    record RouteConf(IpPrefix dst, InetAddress gw) {
        String option() {
            return dst + (gw == null ? "" : " via " + IpAddresses.format(gw));
        }
    }

    static IpamConf parse(Conf ipam) {
        if (ipam == null) {
            throw new Unserved("ipam", "no ipam: an interface without addresses");
        }
        String type = ipam.text("type");
        if (!"host-local".equals(type)) {
            throw new Unserved("ipam.type", type == null ? "no IPAM type" : "IPAM type \"" + type + "\"");
        }
        List<Range> sets = new ArrayList<>();
        if (ipam.has("subnet")) {
            sets.add(range(ipam, "ipam"));
        }
        JsonArray ranges = ipam.array("ranges");
        for (int i = 0; ranges != null && i < ranges.size(); i++) {
            String field = "ipam.ranges[" + i + "]";
            JsonElement set = ranges.get(i);
            if (!set.isJsonArray() || set.getAsJsonArray().isEmpty()) {
                throw CniError.config(field, set, "must be a non-empty list of ranges");
            }
            if (set.getAsJsonArray().size() > 1) {
                throw new Unserved(field, "a range set of " + set.getAsJsonArray().size() + " ranges (a Patchbay network has one range per family)");
            }
            if (!set.getAsJsonArray().get(0).isJsonObject()) {
                throw CniError.config(field + "[0]", set.getAsJsonArray().get(0), "must be an object");
            }
            sets.add(range(new Conf(set.getAsJsonArray().get(0).getAsJsonObject(), field + "[0]."), field + "[0]"));
        }
        if (sets.isEmpty()) {
            throw CniError.config("ipam", null, "has neither subnet nor ranges");
        }
        Range v4 = null;
        Range v6 = null;
        for (Range r : sets) {
            if (r.subnet().family() == Family.INET ? v4 != null : v6 != null) {
                throw new Unserved(r.field(), "a second " + (v4 != null && r.subnet().isV4() ? "IPv4" : "IPv6") + " range set");
            }
            if (r.subnet().isV4()) {
                v4 = r;
            } else {
                v6 = r;
            }
        }
        if (v4 == null) {
            throw new Unserved("ipam", "IPv6 only (a Patchbay network has an IPv4 subnet)");
        }
        List<RouteConf> routes = new ArrayList<>();
        for (Conf r : ipam.objects("routes")) {
            IpPrefix dst = prefix(r, "dst");
            if (dst == null) {
                throw CniError.config(r.field("dst"), null, "is required");
            }
            InetAddress gw = address(r, "gw");
            if (gw != null && Family.of(gw) != dst.family()) {
                throw CniError.config(r.field("gw"), IpAddresses.format(gw), "is not of the family of " + dst);
            }
            routes.add(new RouteConf(dst.network(), gw));
        }
        String dataDir = ipam.text("dataDir");
        if (dataDir != null && !dataDir.startsWith("/")) {
            throw CniError.config("ipam.dataDir", dataDir, "must be an absolute path");
        }
        return new IpamConf(v4, v6, routes, dataDir == null ? DEFAULT_DATA_DIR : dataDir);
    }

    private static Range range(Conf r, String field) {
        IpPrefix subnet = prefix(r, "subnet");
        if (subnet == null) {
            throw CniError.config(r.field("subnet"), null, "is required");
        }
        subnet = subnet.network(); // host-local takes 10.0.0.7/24 as 10.0.0.0/24
        int maxLen = subnet.isV4() ? 30 : 126;
        if (subnet.length() > maxLen) {
            throw CniError.config(r.field("subnet"), subnet, "is too small for a gateway and a container (at most /" + maxLen + ")");
        }
        InetAddress start = inside(r, "rangeStart", subnet);
        InetAddress end = inside(r, "rangeEnd", subnet);
        if (start != null && end != null && number(start).compareTo(number(end)) > 0) {
            throw CniError.config(r.field("rangeStart"), IpAddresses.format(start), "comes after rangeEnd " + IpAddresses.format(end));
        }
        InetAddress gateway = inside(r, "gateway", subnet);
        if (gateway == null) {
            gateway = NetworkConfig.firstHost(subnet);
        } else if (gateway.equals(subnet.address()) || (subnet.isV4() && gateway.equals(subnet.last()))) {
            throw CniError.config(r.field("gateway"), IpAddresses.format(gateway), "is the network or broadcast address of " + subnet);
        }
        return new Range(subnet, start, end, gateway, field);
    }

    private static InetAddress inside(Conf r, String key, IpPrefix subnet) {
        InetAddress a = address(r, key);
        if (a != null && !subnet.contains(a)) {
            throw CniError.config(r.field(key), IpAddresses.format(a), "is not inside " + subnet);
        }
        return a;
    }

    private static IpPrefix prefix(Conf r, String key) {
        String text = r.text(key);
        try {
            return text == null ? null : IpPrefix.parse(r.field(key), text);
        } catch (InvalidInputException e) {
            throw CniError.config(r.field(key), text, "is not an address with a prefix length (CIDR)");
        }
    }

    static InetAddress address(Conf r, String key) {
        String text = r.text(key);
        try {
            return text == null ? null : IpAddresses.parse(r.field(key), text);
        } catch (InvalidInputException e) {
            throw CniError.config(r.field(key), text, "is not an IP address");
        }
    }

    private static BigInteger number(InetAddress a) {
        return IpAddresses.toBigInteger(a);
    }
}
