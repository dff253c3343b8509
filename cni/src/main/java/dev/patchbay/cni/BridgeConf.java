package dev.patchbay.cni;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.orchestrator.network.NetworkManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A bridge plugin configuration as a Patchbay network: the reference bridge's keys mapped onto the bridge driver's,
 * the firewall plugin's and the orchestrator's options. {@code fields} names, for every option the mapping sets, the
 * configuration key it comes from (for code 7 when an existing network has other settings).
 *
 * <p>The mapping: {@code bridge} (default {@code cni0}) → bridge; {@code ipMasq} → masquerade; {@code mtu} → mtu;
 * {@code hairpinMode} → hairpin; {@code promiscMode} → promisc; {@code enabledad} → dad (duplicate address detection
 * on the container's IPv6 addresses, off by default as in the reference); {@code isGateway} false → gateway-on-bridge=false
 * ({@code isDefaultGateway} implies it true); {@code ipam.routes}, plus a default route via each gateway for
 * {@code isDefaultGateway} → routes ({@code none} for none); {@code ipam.dataDir} (default host-local's) → ipam.dir;
 * {@code rangeStart}/{@code rangeEnd} → ipam.range / ipam.range6; the subnets and gateways → the network's own.
 * {@code forceAddress}, {@code capabilities}, {@code preserveDefaultVlan} and unknown keys are
 * accepted and ignored (Patchbay always owns its bridge's address); {@code vlan}, {@code vlanTrunk},
 * {@code macspoofchk}, {@code disableContainerInterface} and {@code portIsolation} set are not served.
 */
record BridgeConf(NetworkConfig network, Map<String, String> fields, IpamConf ipam, List<IpamConf.RouteConf> routes, JsonObject dns)
        implements NetworkConf {
    static final String DEFAULT_BRIDGE = "cni0";

    /** The options a CNI bridge configuration decides, with the value each has when the option is absent. */
    static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("bridge", null);
        d.put("masquerade", "false");
        d.put("mtu", null);
        d.put("hairpin", "false");
        d.put("promisc", "false");
        d.put("dad", "false");
        d.put("gateway-on-bridge", "true");
        d.put("routes", null);
        d.put(NetworkManager.IPAM_DIR, null);
        d.put(NetworkManager.IPAM_RANGE, null);
        d.put(NetworkManager.IPAM_RANGE6, null);
        return d;
    }

    static BridgeConf parse(String name, Conf c) {
        for (String key : List.of("macspoofchk", "disableContainerInterface", "portIsolation")) {
            if (c.bool(key, false)) {
                throw new Unserved(key, key + " is true");
            }
        }
        Integer vlan = c.integer("vlan", 0, 4094);
        if (vlan != null && vlan != 0) {
            throw new Unserved("vlan", "a VLAN (" + vlan + ")");
        }
        JsonArray trunk = c.array("vlanTrunk");
        if (trunk != null && !trunk.isEmpty()) {
            throw new Unserved("vlanTrunk", "a VLAN trunk");
        }
        IpamConf ipam = IpamConf.parse(c.object("ipam"));
        boolean isDefaultGateway = c.bool("isDefaultGateway", false);
        boolean isGateway = c.bool("isGateway", false) || isDefaultGateway;
        boolean hairpin = c.bool("hairpinMode", false);
        boolean promisc = c.bool("promiscMode", false);
        if (hairpin && promisc) {
            throw CniError.config("hairpinMode", true, "and promiscMode cannot both be set");
        }
        c.bool("forceAddress", false); // checked, then ignored: Patchbay's bridge holds only its gateway
        Integer mtu = c.integer("mtu", 0, 65535);
        if (mtu != null && mtu != 0 && mtu < 68) {
            throw CniError.config("mtu", mtu, "must be 68..65535 (or 0: the kernel's default)");
        }
        String bridge = c.text("bridge") == null ? DEFAULT_BRIDGE : c.text("bridge");
        try {
            IfName.of(bridge);
        } catch (InvalidInputException e) {
            throw CniError.config("bridge", bridge, "is not an interface name (1-15 bytes, no '/', ':' or whitespace)");
        }
        List<IpamConf.RouteConf> routes = new ArrayList<>(ipam.routes());
        if (isDefaultGateway) {
            for (IpamConf.Range r : ipam.v6() == null ? List.of(ipam.v4()) : List.of(ipam.v4(), ipam.v6())) {
                if (routes.stream().noneMatch(x -> x.dst().length() == 0 && x.dst().family() == r.subnet().family())) {
                    routes.add(new IpamConf.RouteConf(IpPrefix.of(r.subnet().isV4() ? IpAddresses.parse("dst", "0.0.0.0")
                            : IpAddresses.parse("dst", "::"), 0), r.gateway()));
                }
            }
        }
        Map<String, String> options = new TreeMap<>();
        Map<String, String> fields = new LinkedHashMap<>();
        set(options, fields, "bridge", bridge, "bridge");
        set(options, fields, "masquerade", c.bool("ipMasq", false) ? "true" : null, "ipMasq");
        set(options, fields, "mtu", mtu == null || mtu == 0 ? null : mtu.toString(), "mtu");
        set(options, fields, "hairpin", hairpin ? "true" : null, "hairpinMode");
        set(options, fields, "promisc", promisc ? "true" : null, "promiscMode");
        set(options, fields, "dad", c.bool("enabledad", false) ? "true" : null, "enabledad");
        set(options, fields, "gateway-on-bridge", isGateway ? null : "false", "isGateway");
        set(options, fields, "routes", routes.isEmpty() ? "none" : String.join(",", routes.stream().map(IpamConf.RouteConf::option).toList()),
                isDefaultGateway ? "ipam.routes (with isDefaultGateway)" : "ipam.routes");
        set(options, fields, NetworkManager.IPAM_DIR, ipam.dataDir(), "ipam.dataDir");
        set(options, fields, NetworkManager.IPAM_RANGE, ipam.v4().option(), ipam.v4().field() + ".rangeStart/rangeEnd");
        set(options, fields, NetworkManager.IPAM_RANGE6, ipam.v6() == null ? null : ipam.v6().option(), "ipam.ranges (IPv6) rangeStart/rangeEnd");
        IpamConf.Range v6 = ipam.v6();
        NetworkConfig network = new NetworkConfig(name, "bridge", List.of(), ipam.v4().subnet(), ipam.v4().gateway(),
                v6 == null ? null : v6.subnet(), v6 == null ? null : v6.gateway(), options);
        return new BridgeConf(network, fields, ipam, List.copyOf(routes), dns(c.object("dns")));
    }

    private static void set(Map<String, String> options, Map<String, String> fields, String key, String value, String field) {
        fields.put(key, field);
        if (value != null) {
            options.put(key, value);
        }
    }

    /** The {@code dns} object as results carry it: nameservers, domain, search, options; empty when absent. */
    static JsonObject dns(Conf d) {
        JsonObject out = new JsonObject();
        if (d == null) {
            return out;
        }
        List<String> ns = d.strings("nameservers");
        if (!ns.isEmpty()) {
            out.add("nameservers", array(ns));
        }
        if (d.text("domain") != null) {
            out.addProperty("domain", d.text("domain"));
        }
        for (String key : List.of("search", "options")) {
            List<String> values = d.strings(key);
            if (!values.isEmpty()) {
                out.add(key, array(values));
            }
        }
        return out;
    }

    private static JsonArray array(List<String> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    /**
     * Code 7 unless {@code existing} (a network of the same name) has the settings this configuration asks for: the
     * driver, the subnets and gateways, and every option the mapping decides (absent ones at their defaults).
     */
    @Override
    public void requireSame(NetworkConfig existing) {
        String name = existing.name();
        if (!existing.driver().equals("bridge")) {
            throw differs(name, "type", "driver " + existing.driver(), "bridge");
        }
        if (!existing.subnet().equals(network.subnet()) || !Objects.equals(existing.gateway(), network.gateway())) {
            throw differs(name, ipam.v4().field() + ".subnet/gateway", existing.subnet() + " gateway " + format(existing.gateway()),
                    network.subnet() + " gateway " + format(network.gateway()));
        }
        if (!Objects.equals(existing.subnet6(), network.subnet6()) || !Objects.equals(existing.gateway6(), network.gateway6())) {
            throw differs(name, "ipam.ranges (IPv6)", existing.subnet6() == null ? "no IPv6" : existing.subnet6() + " gateway " + format(existing.gateway6()),
                    network.subnet6() == null ? "no IPv6" : network.subnet6() + " gateway " + format(network.gateway6()));
        }
        for (Map.Entry<String, String> d : DEFAULTS.entrySet()) {
            String key = d.getKey();
            String has = existing.options().getOrDefault(key, d.getValue());
            String asks = network.options().getOrDefault(key, d.getValue());
            if (key.equals("bridge") && has == null) {
                has = "pb-" + name; // the bridge driver's default (cut to 15 bytes): never the name CNI's default gives
            }
            if (!Objects.equals(has, asks)) {
                throw differs(name, fields.get(key), key + "=" + (has == null ? "(unset)" : has), key + "=" + (asks == null ? "(unset)" : asks));
            }
        }
    }

    /**
     * The configuration's identity as attachment records keep it: its network's name and the settings that define the
     * network (driver, subnets, gateways, the options the mapping decides), digested; equal for every configuration
     * that {@link #requireSame} accepts for one network.
     */
    @Override
    public String identity() {
        StringBuilder sb = new StringBuilder(network.name()).append('\n').append(network.driver()).append('\n')
                .append(network.subnet()).append(' ').append(format(network.gateway())).append('\n')
                .append(network.subnet6() == null ? "-" : network.subnet6() + " " + format(network.gateway6())).append('\n');
        for (String key : DEFAULTS.keySet()) {
            sb.append(key).append('=').append(network.options().getOrDefault(key, DEFAULTS.get(key))).append('\n');
        }
        return "bridge:" + digest(sb.toString());
    }

    /** The first 12 bytes of the text's SHA-256, in hex. */
    static String digest(String text) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static CniError differs(String network, String field, String has, String asks) {
        return new CniError(CniError.INVALID_CONFIG, field + ": network \"" + network + "\" exists with other settings: it has "
                + has + ", this configuration asks for " + asks,
                "the configuration of an existing network cannot change; remove it first (patchbay network rm " + network + ")");
    }

    static String format(java.net.InetAddress a) {
        return a == null ? "none" : IpAddresses.format(a);
    }
}
