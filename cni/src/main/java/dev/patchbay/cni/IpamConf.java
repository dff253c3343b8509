package dev.patchbay.cni;

import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.RangeSet;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.NetworkConfig;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code ipam} object of a configuration as a Patchbay network holds it: the installed IPAM service maps it
 * ({@link Ipam#cniIpam}, host-local's keys in plugins-ipam) onto ranges, routes and a data directory, of which a network
 * takes one range per set, at most an IPv4 and an IPv6 set. No {@code ipam}, no IPAM service, several ranges in a set,
 * a third set or IPv6 alone are not served ({@link Unserved}); a wrong value is code 7 naming its field.
 */
record IpamConf(Range v4, Range v6, List<RouteConf> routes, String dataDir) {

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

    static IpamConf parse(Conf ipam, Ipam service) {
        if (ipam == null) {
            throw new Unserved("ipam", "no ipam: an interface without addresses");
        }
        Map<String, Object> object = DriverConf.object(ipam.json());
        if (service == null) {
            throw new Unserved("ipam.type", "IPAM type \"" + object.get("type") + "\": no IPAM service is installed");
        }
        Ipam.CniIpam mapped = Mapping.of(String.valueOf(object.get("type")), () -> service.cniIpam(object));
        List<RangeSet> sets = mapped.config().rangeSets();
        boolean ownSubnet = object.get("subnet") != null; // host-local's subnet is a set of its own, before ranges
        Range v4 = null;
        Range v6 = null;
        for (int i = 0; i < sets.size(); i++) {
            String field = ownSubnet && i == 0 ? "ipam" : "ipam.ranges[" + (ownSubnet ? i - 1 : i) + "]";
            if (sets.get(i).ranges().size() > 1) {
                throw new Unserved(field, "a range set of " + sets.get(i).ranges().size() + " ranges (a Patchbay network has one range per family)");
            }
            IpRange r = sets.get(i).ranges().get(0);
            Range range = new Range(r.subnet(), r.rangeStart(), r.rangeEnd(),
                    r.gateway() == null ? NetworkConfig.firstHost(r.subnet()) : r.gateway(), field.equals("ipam") ? field : field + "[0]");
            if (r.subnet().family() == Family.INET ? v4 != null : v6 != null) {
                throw new Unserved(range.field(), "a second " + (r.subnet().isV4() ? "IPv4" : "IPv6") + " range set");
            }
            if (r.subnet().isV4()) {
                v4 = range;
            } else {
                v6 = range;
            }
        }
        if (v4 == null) {
            throw new Unserved("ipam", "IPv6 only (a Patchbay network has an IPv4 subnet)");
        }
        List<RouteConf> routes = new ArrayList<>();
        for (Route r : mapped.config().routes()) {
            routes.add(new RouteConf(r.destination(), r.gateway()));
        }
        return new IpamConf(v4, v6, routes, mapped.dataDir().toString());
    }
}
