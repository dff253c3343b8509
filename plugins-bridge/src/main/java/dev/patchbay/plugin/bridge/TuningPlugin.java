package dev.patchbay.plugin.bridge;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.LinkChange;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.network.CniChange;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The CNI type {@code tuning}, chained after any driver (Patchbay's or not: it acts only in the container's namespace):
 * sysctls under {@code net.}, then on CNI_IFNAME the {@code mtu} (0: as it is), {@code mac} (also
 * {@code runtimeConfig.mac}, which wins), {@code promisc} and {@code allmulti}. DEL undoes nothing: the interface it tuned
 * goes with its veth at the driver's DEL and the namespace's sysctls with the namespace, so the reference tuning's saved
 * values would restore nothing here (a device that outlives DEL, as host-device moves back, keeps the tuned values).
 * {@code txQLen} is not served: such a configuration falls through. In a network's chain it adds nothing.
 */
@Component(property = {NetworkPlugin.TYPE + "=tuning", NetworkPlugin.ROLE + "=" + NetworkPlugin.CHAINED})
public final class TuningPlugin implements NetworkPlugin {

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        // no options
    }

    @Override
    public CniChange cniChange(Map<String, Object> conf, Map<String, String> args, NetworkConfig network) {
        if (conf.get("txQLen") != null) {
            throw new UnavailableException("a transmit queue length", new InvalidInputException("txQLen", conf.get("txQLen"), "a transmit queue length"));
        }
        Map<String, String> sysctls = new LinkedHashMap<>();
        Object s = conf.get("sysctl");
        if (s != null && !(s instanceof Map<?, ?>)) {
            throw new InvalidInputException("sysctl", s, "must be an object");
        }
        for (Map.Entry<?, ?> e : (s == null ? Map.of() : (Map<?, ?>) s).entrySet()) {
            String key = (String) e.getKey();
            if (!(key.startsWith("net.") || key.startsWith("net/")) || key.contains("..")) {
                throw new InvalidInputException("sysctl." + key, null, "is not a sysctl of the network namespace (net.*)");
            }
            if (e.getValue() != null) {
                sysctls.put(key, string(e.getValue(), "sysctl." + key));
            }
        }
        Object mtu = conf.get("mtu");
        if (mtu != null && !(mtu instanceof Long n && n >= 0 && n <= 65535)) {
            throw new InvalidInputException("mtu", mtu, "must be a whole number in 0..65535");
        }
        String mac = text(conf.get("mac"), "mac");
        if (conf.get("runtimeConfig") instanceof Map<?, ?> rc && text(rc.get("mac"), "runtimeConfig.mac") != null) {
            mac = text(rc.get("mac"), "runtimeConfig.mac");
        } else if (conf.get("runtimeConfig") != null && !(conf.get("runtimeConfig") instanceof Map<?, ?>)) {
            throw new InvalidInputException("runtimeConfig", conf.get("runtimeConfig"), "must be an object");
        }
        MacAddress m;
        try {
            m = mac == null ? null : MacAddress.parse(mac);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("mac", mac, "is not a MAC address");
        }
        Boolean promisc = flag(conf, "promisc");
        Boolean allmulti = flag(conf, "allmulti");
        return new CniChange(null, null, sysctls, mtu == null || (Long) mtu == 0 ? null : ((Long) mtu).intValue(), m,
                promisc == null && allmulti == null ? null : new LinkChange(null, promisc, allmulti, null));
    }

    private static Boolean flag(Map<String, Object> conf, String key) {
        Object v = conf.get(key);
        if (v != null && !(v instanceof Boolean)) {
            throw new InvalidInputException(key, v, "must be true or false");
        }
        return (Boolean) v;
    }

    private static String string(Object v, String field) {
        if (!(v instanceof String s)) {
            throw new InvalidInputException(field, v, "must be a string");
        }
        return s;
    }

    /** A string that, when present, is not empty ("" is absent). */
    private static String text(Object v, String field) {
        return v == null || string(v, field).isEmpty() ? null : (String) v;
    }
}
