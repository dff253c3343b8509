package dev.patchbay.plugin.nat;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.model.PortRange;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.network.CniChange;
import dev.patchbay.core.network.NetworkConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CNI types {@code portmap} and {@code firewall} as calls on a Patchbay network with the plugin in its chain
 * ({@code NetworkPlugin.cniChange}; another network is not served: the reference plugin on CNI_PATH serves it, e.g. after
 * the reference bridge). Every key of the reference plugins is honoured or not served, each verb alike (so that DEL goes
 * where ADD went); {@code backend} is honoured where Patchbay's firewall uses that backend.
 */
final class NatCni {
    private NatCni() {
    }

    /**
     * {@code portmap}: {@code runtimeConfig.portMappings} ({@code hostPort}, {@code containerPort}, {@code protocol},
     * {@code hostIP}) published on the container's attachment. {@code snat} true (the default: a published port answers
     * from the host and from the bridge's own containers, which Patchbay's rules do) honoured, false not served;
     * {@code masqAll}, {@code markMasqBit}, {@code externalSetMarkChain}, {@code conditionsV4}, {@code conditionsV6} set: not served.
     */
    static CniChange portmap(Map<String, Object> conf, NetworkConfig network) {
        chained(conf, network, "portmap");
        if (!bool(conf, "snat", true)) {
            throw unserved("snat", false, "ports published without SNAT of hairpin and host-local traffic (snat false)");
        }
        unservedIfSet(conf, "masqAll", "masquerading all traffic to a published port");
        unservedIfSet(conf, "markMasqBit", "a masquerade mark bit of the reference's iptables rules");
        unservedIfSet(conf, "externalSetMarkChain", "an external mark chain of the reference's iptables rules");
        unservedIfSet(conf, "conditionsV4", "iptables match conditions");
        unservedIfSet(conf, "conditionsV6", "ip6tables match conditions");
        String backend = text(conf, "backend", "backend");
        return new CniChange(backend, ports(conf), null, null, null, null);
    }

    /**
     * {@code firewall}: the forward accepts the reference makes per container, Patchbay's firewall plugin makes once for
     * the whole network (the bridge's traffic, both ways); nothing per call. {@code ingressPolicy} {@code open} (the
     * default) honoured; {@code same-bridge} honoured on a network Patchbay isolates (option {@code isolate}: traffic
     * between it and the other isolated bridges dropped both ways, as the reference's stage-1/stage-2 chains do), else not
     * served; {@code iptablesAdminChainName} and {@code firewalldZone} set: not served.
     */
    static CniChange firewall(Map<String, Object> conf, NetworkConfig network) {
        chained(conf, network, "firewall");
        String policy = text(conf, "ingressPolicy", "ingressPolicy");
        if (policy != null && !policy.equals("open")) {
            if (!policy.equals("same-bridge")) {
                throw new InvalidInputException("ingressPolicy", policy, "is \"open\" (the default) or \"same-bridge\"");
            }
            if (!"true".equals(network.options().get(FirewallPlugin.ISOLATE))) {
                throw unserved("ingressPolicy", policy, "ingressPolicy \"same-bridge\" on network \"" + network.name()
                        + "\", which Patchbay does not isolate (patchbay network create --isolate makes one that does)");
            }
        }
        String backend = text(conf, "backend", "backend");
        unservedIfSet(conf, "iptablesAdminChainName", "an iptables admin chain: Patchbay's rules live in its own table");
        unservedIfSet(conf, "firewalldZone", "a firewalld zone");
        return new CniChange(backend, null, null, null, null, null);
    }

    /** Not served unless the configuration names a Patchbay network with {@code plugin} in its chain. */
    private static void chained(Map<String, Object> conf, NetworkConfig network, String plugin) {
        if (network == null) {
            throw unserved("name", conf.get("name"), "network \"" + conf.get("name") + "\" is not a Patchbay network");
        }
        if (!network.plugins().contains(plugin)) {
            throw unserved("name", network.name(), "network \"" + network.name() + "\" has no " + plugin + " in its chain ("
                    + String.join(", ", network.chain()) + ")");
        }
    }

    /** {@code runtimeConfig.portMappings}, each once; empty when absent. */
    static List<PortMapping> ports(Map<String, Object> conf) {
        Object rc = conf.get("runtimeConfig");
        List<PortMapping> out = new ArrayList<>();
        if (rc == null) {
            return out;
        }
        if (!(rc instanceof Map<?, ?> runtime)) {
            throw new InvalidInputException("runtimeConfig", rc, "must be an object");
        }
        Object list = runtime.get("portMappings");
        if (list != null && !(list instanceof List<?>)) {
            throw new InvalidInputException("runtimeConfig.portMappings", list, "must be a list");
        }
        List<?> mappings = list == null ? List.of() : (List<?>) list;
        for (int i = 0; i < mappings.size(); i++) {
            String at = "runtimeConfig.portMappings[" + i + "].";
            if (!(mappings.get(i) instanceof Map<?, ?> m)) {
                throw new InvalidInputException(at.substring(0, at.length() - 1), mappings.get(i), "must be an object");
            }
            Integer host = port(m, at, "hostPort");
            Integer ctr = port(m, at, "containerPort");
            String proto = text(m, "protocol", at + "protocol");
            String ip = text(m, "hostIP", at + "hostIP");
            try {
                PortMapping p = new PortMapping(Protocol.parse(proto == null ? "tcp" : proto.toLowerCase(Locale.ROOT)),
                        ip == null ? null : IpAddresses.parse(at + "hostIP", ip), PortRange.of(host), PortRange.of(ctr));
                if (!out.contains(p)) {
                    out.add(p);
                }
            } catch (InvalidInputException e) {
                throw new InvalidInputException(at + (e.field().contains("host") ? "hostIP" : "protocol"), e.value(), "is not valid: " + e.getMessage());
            }
        }
        return out;
    }

    private static Integer port(Map<?, ?> m, String at, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new InvalidInputException(at + key, null, "is required");
        }
        if (!(v instanceof Long n && n >= 1 && n <= 65535)) {
            throw new InvalidInputException(at + key, v, "must be a whole number in 1..65535");
        }
        return n.intValue();
    }

    /** A key not served when it is set (not absent, null, false, empty or 0). */
    private static void unservedIfSet(Map<String, Object> conf, String key, String what) {
        Object v = conf.get(key);
        boolean set = v instanceof List<?> l ? !l.isEmpty() : v instanceof Map<?, ?> m ? !m.isEmpty()
                : v != null && !Boolean.FALSE.equals(v) && !String.valueOf(v).isEmpty() && !String.valueOf(v).equals("0");
        if (set) {
            throw unserved(key, v, what + " (" + key + ")");
        }
    }

    private static boolean bool(Map<String, Object> conf, String key, boolean fallback) {
        Object v = conf.get(key);
        if (v != null && !(v instanceof Boolean)) {
            throw new InvalidInputException(key, v, "must be true or false");
        }
        return v == null ? fallback : (Boolean) v;
    }

    /** A string that, when present, is not empty ("" is absent, as the reference plugins take it). */
    private static String text(Map<?, ?> conf, String key, String field) {
        Object v = conf.get(key);
        if (v != null && !(v instanceof String)) {
            throw new InvalidInputException(field, v, "must be a string");
        }
        return v == null || ((String) v).isEmpty() ? null : (String) v;
    }

    private static UnavailableException unserved(String key, Object value, String why) {
        return new UnavailableException(why, new InvalidInputException(key, value, why));
    }
}
