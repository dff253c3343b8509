package dev.patchbay.cni;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * CNI results as JSON, built in the 1.0.0 shape and converted to the configuration's version on output: versions
 * before 1.0.0 (0.3.0, 0.3.1, 0.4.0) carry {@code "version": "4"|"6"} first in every {@code ips} entry, 1.0.0 and
 * 1.1.0 none. Members come in the reference plugins' order (cniVersion, interfaces, ips, routes, dns).
 */
final class Results {
    private Results() {
    }

    /** One interface of a result: {@code sandbox} (the container's namespace path) only for the container's. */
    record Iface(String name, String mac, String sandbox) {
    }

    /**
     * The result of an ADD: the host's interfaces (a bridge's: the bridge and the host end of the veth), then the
     * container's interface (the last, which every address names), the addresses with their gateways, the routes, the DNS
     * as configured.
     */
    static JsonObject added(List<Iface> interfaces, List<IpPrefix> addresses, Map<Boolean, InetAddress> gatewayByV4,
                             List<IpamConf.RouteConf> routes, JsonObject dns) {
        JsonObject r = new JsonObject();
        JsonArray ifs = new JsonArray();
        for (Iface i : interfaces) {
            JsonObject o = new JsonObject();
            o.addProperty("name", i.name());
            if (i.mac() != null) {
                o.addProperty("mac", i.mac());
            }
            if (i.sandbox() != null) {
                o.addProperty("sandbox", i.sandbox());
            }
            ifs.add(o);
        }
        r.add("interfaces", ifs);
        JsonArray ips = new JsonArray();
        for (IpPrefix a : addresses) {
            JsonObject o = new JsonObject();
            o.addProperty("interface", interfaces.size() - 1);
            o.addProperty("address", a.toString());
            InetAddress gw = gatewayByV4.get(a.isV4());
            if (gw != null) {
                o.addProperty("gateway", IpAddresses.format(gw));
            }
            ips.add(o);
        }
        r.add("ips", ips);
        if (!routes.isEmpty()) {
            JsonArray rs = new JsonArray();
            for (IpamConf.RouteConf route : routes) {
                JsonObject o = new JsonObject();
                o.addProperty("dst", route.dst().toString());
                if (route.gw() != null) {
                    o.addProperty("gw", IpAddresses.format(route.gw()));
                }
                rs.add(o);
            }
            r.add("routes", rs);
        }
        r.add("dns", dns == null ? new JsonObject() : dns);
        return r;
    }

    /** {@code result} (any served version's shape) in {@code version}'s shape, {@code cniVersion} first. */
    static JsonObject convert(JsonObject result, String version) {
        JsonObject out = new JsonObject();
        out.addProperty("cniVersion", version);
        for (Map.Entry<String, JsonElement> m : result.entrySet()) {
            if (m.getKey().equals("cniVersion")) {
                continue;
            }
            if (m.getKey().equals("ips") && m.getValue().isJsonArray()) {
                JsonArray ips = new JsonArray();
                for (JsonElement e : m.getValue().getAsJsonArray()) {
                    ips.add(e.isJsonObject() ? ip(e.getAsJsonObject(), version) : e);
                }
                out.add("ips", ips);
            } else {
                out.add(m.getKey(), m.getValue().deepCopy());
            }
        }
        return out;
    }

    private static JsonObject ip(JsonObject ip, String version) {
        JsonObject out = new JsonObject();
        if (Versions.ipsHaveVersion(version)) {
            String family = GoKeys.member(ip, "version") != null ? GoKeys.member(ip, "version").getAsString() : familyOf(ip);
            if (family != null) {
                out.addProperty("version", family);
            }
        }
        for (Map.Entry<String, JsonElement> m : ip.entrySet()) {
            if (!GoKeys.fold(m.getKey()).equals("version")) {
                out.add(m.getKey(), m.getValue().deepCopy());
            }
        }
        return out;
    }

    private static String familyOf(JsonObject ip) {
        JsonElement a = GoKeys.member(ip, "address");
        return a == null || !a.isJsonPrimitive() ? null : a.getAsString().contains(":") ? "6" : "4";
    }

    /** {@code prevResult} of a chained plugin, or null when absent; code 7 when it is not an object. */
    static JsonObject prevResult(Conf c) {
        Conf prev = c.object("prevResult");
        return prev == null ? null : prev.json();
    }

    static String error(String version, CniError e) {
        JsonObject o = new JsonObject();
        o.addProperty("cniVersion", version);
        o.addProperty("code", e.code());
        o.addProperty("msg", e.getMessage());
        if (!e.details().isEmpty()) {
            o.addProperty("details", e.details());
        }
        return JsonText.write(o);
    }

    static String version(String version) {
        JsonObject o = new JsonObject();
        o.addProperty("cniVersion", version);
        JsonArray a = new JsonArray();
        Versions.SUPPORTED.forEach(a::add);
        o.add("supportedVersions", a);
        return JsonText.write(o);
    }
}
