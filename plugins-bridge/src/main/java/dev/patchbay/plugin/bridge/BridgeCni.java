package dev.patchbay.plugin.bridge;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.NetworkConfig;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CNI type {@code bridge} as this driver's options ({@link BridgePlugin#cniOptions}): the reference bridge plugin's
 * keys. {@code bridge} (default {@code cni0}) → bridge; {@code ipMasq} → masquerade (the firewall plugin's option: the
 * chain's options are one map, so the driver maps the keys of the type's whole configuration); {@code mtu} → mtu;
 * {@code hairpinMode} → hairpin; {@code promiscMode} → promisc; {@code enabledad} → dad; {@code isGateway} false →
 * gateway-on-bridge=false ({@code isDefaultGateway} implies it true); {@code ipam.routes}, plus a default route via each
 * range's gateway for {@code isDefaultGateway} → routes ({@code none} for none). Options at their defaults are left out.
 * {@code forceAddress}, {@code capabilities}, {@code preserveDefaultVlan} and unknown keys are accepted and ignored
 * (Patchbay always owns its bridge's address); {@code vlan}, {@code vlanTrunk}, {@code macspoofchk},
 * {@code disableContainerInterface} and {@code portIsolation} set are not served (UnavailableException naming the key).
 */
final class BridgeCni {
    static final String DEFAULT_BRIDGE = "cni0";

    private BridgeCni() {
    }

    static Map<String, String> options(Map<String, Object> conf) {
        for (String key : List.of("macspoofchk", "disableContainerInterface", "portIsolation")) {
            if (bool(conf, key)) {
                throw unserved(key, true, key + " is true");
            }
        }
        Long vlan = number(conf, "vlan", 0, 4094);
        if (vlan != null && vlan != 0) {
            throw unserved("vlan", vlan, "a VLAN (" + vlan + ")");
        }
        if (conf.get("vlanTrunk") != null && !(conf.get("vlanTrunk") instanceof List<?>)) {
            throw new InvalidInputException("vlanTrunk", conf.get("vlanTrunk"), "must be a list");
        }
        if (conf.get("vlanTrunk") instanceof List<?> trunk && !trunk.isEmpty()) {
            throw unserved("vlanTrunk", trunk, "a VLAN trunk");
        }
        boolean isDefaultGateway = bool(conf, "isDefaultGateway");
        boolean isGateway = bool(conf, "isGateway") || isDefaultGateway;
        boolean hairpin = bool(conf, "hairpinMode");
        boolean promisc = bool(conf, "promiscMode");
        if (hairpin && promisc) {
            throw new InvalidInputException("hairpinMode", true, "and promiscMode cannot both be set");
        }
        bool(conf, "forceAddress"); // checked, then ignored: Patchbay's bridge holds only its gateway
        Long mtu = number(conf, "mtu", 0, 65535);
        if (mtu != null && mtu != 0 && mtu < 68) {
            throw new InvalidInputException("mtu", mtu, "must be 68..65535 (or 0: the kernel's default)");
        }
        String bridge = conf.get("bridge") == null || "".equals(conf.get("bridge")) ? DEFAULT_BRIDGE : string(conf, "bridge");
        try {
            IfName.of(bridge);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("bridge", bridge, "is not an interface name (1-15 bytes, no '/', ':' or whitespace)");
        }
        Map<String, String> o = new TreeMap<>();
        o.put(BridgePlugin.BRIDGE, bridge);
        putIf(o, "masquerade", bool(conf, "ipMasq"));
        if (mtu != null && mtu != 0) {
            o.put(BridgePlugin.MTU, mtu.toString());
        }
        putIf(o, BridgePlugin.HAIRPIN, hairpin);
        putIf(o, BridgePlugin.PROMISC, promisc);
        putIf(o, BridgePlugin.DAD, bool(conf, "enabledad"));
        if (!isGateway) {
            o.put(BridgePlugin.GATEWAY_ON_BRIDGE, "false");
        }
        List<String> routes = routes(conf, isDefaultGateway);
        o.put(BridgePlugin.ROUTES, routes.isEmpty() ? "none" : String.join(",", routes));
        return o;
    }

    /** {@code ipam.routes} as DST or DST via GW, then for isDefaultGateway a default route via each range's gateway it lacks. */
    private static List<String> routes(Map<String, Object> conf, boolean isDefaultGateway) {
        Map<?, ?> ipam = conf.get("ipam") instanceof Map<?, ?> m ? m : Map.of();
        List<String> out = new ArrayList<>();
        List<IpPrefix> dsts = new ArrayList<>();
        int i = 0;
        for (Object r : ipam.get("routes") instanceof List<?> l ? l : List.of()) {
            String field = "ipam.routes[" + i++ + "]";
            if (!(r instanceof Map<?, ?> route) || !(route.get("dst") instanceof String dst)) {
                throw new InvalidInputException(field + ".dst", r, "is required");
            }
            IpPrefix prefix = IpPrefix.parse(field + ".dst", dst).network();
            dsts.add(prefix);
            out.add(prefix + (route.get("gw") instanceof String gw && !gw.isEmpty()
                    ? " via " + IpAddresses.format(IpAddresses.parse(field + ".gw", gw)) : ""));
        }
        if (isDefaultGateway) {
            for (Object[] range : ranges(ipam)) {
                IpPrefix subnet = (IpPrefix) range[0];
                if (dsts.stream().noneMatch(d -> d.length() == 0 && d.family() == subnet.family())) {
                    out.add((subnet.isV4() ? "0.0.0.0/0" : "::/0") + " via " + IpAddresses.format((InetAddress) range[1]));
                }
            }
        }
        return out;
    }

    /** The first range of each family ({subnet, gateway}): {@code ipam.subnet}, else each set of {@code ipam.ranges}. */
    private static List<Object[]> ranges(Map<?, ?> ipam) {
        List<Map<?, ?>> candidates = new ArrayList<>();
        if (ipam.get("subnet") != null) {
            candidates.add(ipam);
        }
        for (Object set : ipam.get("ranges") instanceof List<?> l ? l : List.of()) {
            if (set instanceof List<?> s && !s.isEmpty() && s.get(0) instanceof Map<?, ?> first) {
                candidates.add(first);
            }
        }
        List<Object[]> out = new ArrayList<>();
        for (Map<?, ?> r : candidates) {
            IpPrefix subnet = IpPrefix.parse("ipam.subnet", String.valueOf(r.get("subnet"))).network();
            if (out.stream().noneMatch(x -> ((IpPrefix) x[0]).family() == subnet.family())) {
                InetAddress gw = r.get("gateway") instanceof String g && !g.isEmpty() ? IpAddresses.parse("ipam.gateway", g)
                        : NetworkConfig.firstHost(subnet);
                out.add(new Object[] {subnet, gw});
            }
        }
        return out;
    }

    private static UnavailableException unserved(String key, Object value, String why) {
        return new UnavailableException(why, new InvalidInputException(key, value, why));
    }

    private static void putIf(Map<String, String> o, String key, boolean set) {
        if (set) {
            o.put(key, "true");
        }
    }

    private static boolean bool(Map<String, Object> conf, String key) {
        Object v = conf.get(key);
        if (v != null && !(v instanceof Boolean)) {
            throw new InvalidInputException(key, v, "must be true or false");
        }
        return Boolean.TRUE.equals(v);
    }

    private static Long number(Map<String, Object> conf, String key, long min, long max) {
        Object v = conf.get(key);
        if (v != null && !(v instanceof Long n && n >= min && n <= max)) {
            throw new InvalidInputException(key, v, "must be a whole number in " + min + ".." + max);
        }
        return (Long) v;
    }

    private static String string(Map<String, Object> conf, String key) {
        if (!(conf.get(key) instanceof String s)) {
            throw new InvalidInputException(key, conf.get(key), "must be a string");
        }
        return s;
    }
}
