package dev.patchbay.cni;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.orchestrator.network.NetworkManager;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A configuration of a CNI type that an installed driver serves ({@link NetworkPlugin#cniOptions}), as a Patchbay network
 * of that driver and its default chain: the driver maps its own keys onto the chain's options (the bridge's {@code ipMasq}
 * → masquerade, the macvlan example's {@code master} → parent); the {@code ipam} object (the IPAM service's mapping,
 * {@link IpamConf}) gives the subnets, gateways, {@code ipam.dir} and the ranges, its {@code routes} go into the result
 * as written and are the driver's to serve or refuse; {@code dns} goes into the result. Not served or wrong: {@link Mapping}.
 *
 * @param compared the options {@link #requireSame} compares: those of the driver and its default chain, the IPAM ones
 *                 and any the configuration sets (absent is absent: a mapping leaves out what is at its default)
 */
record DriverConf(String type, NetworkConfig network, IpamConf ipam, JsonObject dns, List<String> compared) implements NetworkConf {
    private static final List<String> IPAM_KEYS = List.of(NetworkManager.IPAM_DIR, NetworkManager.IPAM_RANGE, NetworkManager.IPAM_RANGE6);

    static DriverConf parse(String type, NetworkPlugin driver, Set<String> chainOptions, String name, Conf c, dev.patchbay.core.ipam.Ipam service) {
        IpamConf ipam = IpamConf.parse(c.object("ipam"), service);
        Map<String, String> options = Mapping.of(type, () -> driver.cniOptions(object(c.json())));
        Map<String, String> all = new TreeMap<>(options);
        putIfSet(all, NetworkManager.IPAM_DIR, ipam.dataDir());
        putIfSet(all, NetworkManager.IPAM_RANGE, ipam.v4().option());
        putIfSet(all, NetworkManager.IPAM_RANGE6, ipam.v6() == null ? null : ipam.v6().option());
        IpamConf.Range v6 = ipam.v6();
        NetworkConfig network;
        try {
            network = new NetworkConfig(name, type, List.of(), ipam.v4().subnet(), ipam.v4().gateway(),
                    v6 == null ? null : v6.subnet(), v6 == null ? null : v6.gateway(), all);
            network = network.withDefaults(driver.defaults(network));
        } catch (InvalidInputException e) {
            throw CniError.config(e.field(), e.value(), "is not an option value of the " + type + " driver (" + e.getMessage() + ")");
        }
        TreeSet<String> compared = new TreeSet<>(chainOptions);
        compared.addAll(IPAM_KEYS);
        compared.addAll(network.options().keySet());
        return new DriverConf(type, network, ipam, dns(c.object("dns")), List.copyOf(compared));
    }

    private static void putIfSet(Map<String, String> options, String key, String value) {
        if (value != null) {
            options.put(key, value);
        }
    }

    /** Code 7 unless {@code existing} is a network of this driver with these subnets, gateways and {@link #compared} options. */
    @Override
    public void requireSame(NetworkConfig existing) {
        String name = existing.name();
        if (!existing.driver().equals(type)) {
            throw differs(name, "type", "driver " + existing.driver(), type);
        }
        if (!existing.subnet().equals(network.subnet()) || !Objects.equals(existing.gateway(), network.gateway())) {
            throw differs(name, ipam.v4().field() + ".subnet/gateway", existing.subnet() + " gateway " + format(existing.gateway()),
                    network.subnet() + " gateway " + format(network.gateway()));
        }
        if (!Objects.equals(existing.subnet6(), network.subnet6()) || !Objects.equals(existing.gateway6(), network.gateway6())) {
            throw differs(name, "ipam.ranges (IPv6)", existing.subnet6() == null ? "no IPv6" : existing.subnet6().toString(),
                    network.subnet6() == null ? "no IPv6" : network.subnet6().toString());
        }
        for (String key : compared) {
            String has = existing.options().get(key);
            String asks = network.options().get(key);
            if (!Objects.equals(has, asks) && !(key.equals(NetworkManager.IPAM_DIR) && has != null && asks != null
                    && java.nio.file.Path.of(has).equals(java.nio.file.Path.of(asks)))) { // recorded as written before 2.1's mapping: "/x/" is "/x"
                throw differs(name, "option " + key, key + "=" + (has == null ? "(unset)" : has), key + "=" + (asks == null ? "(unset)" : asks));
            }
        }
    }

    /** The network's name, driver, subnets, gateways and compared options, digested. */
    @Override
    public String identity() {
        StringBuilder sb = new StringBuilder(network.name()).append('\n').append(type).append('\n').append(network.subnets())
                .append(' ').append(network.gateway()).append(' ').append(network.gateway6()).append('\n');
        compared.forEach(k -> sb.append(k).append('=').append(network.options().get(k)).append('\n'));
        return type + ":" + digest(sb.toString());
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

    /** A JSON object as the contract hands it over: maps, lists, strings, booleans, longs (whole numbers) and doubles. */
    static Map<String, Object> object(JsonObject o) {
        Map<String, Object> m = new LinkedHashMap<>();
        o.entrySet().forEach(e -> m.put(e.getKey(), plain(e.getValue())));
        return GoKeys.folding(Collections.unmodifiableMap(m));
    }

    private static Object plain(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonObject()) {
            return object(e.getAsJsonObject());
        }
        if (e.isJsonArray()) {
            List<Object> l = new ArrayList<>();
            e.getAsJsonArray().forEach(x -> l.add(plain(x)));
            return Collections.unmodifiableList(l);
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean() || p.isString()) {
            return p.isBoolean() ? (Object) p.getAsBoolean() : p.getAsString();
        }
        BigDecimal d = p.getAsBigDecimal();
        try {
            return d.longValueExact();
        } catch (ArithmeticException notWhole) {
            return d.doubleValue();
        }
    }
}
