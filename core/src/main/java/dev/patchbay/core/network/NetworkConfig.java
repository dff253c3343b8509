package dev.patchbay.core.network;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A network as the operator defined it: its name, its driver and the {@code plugins} chained after it (in order),
 * its subnets and gateways, and {@code options} (sorted by name) that the chain's plugins declare and validate
 * ({@link NetworkPlugin#options()}). {@code subnet6}/{@code gateway6} null: IPv4 only; {@code gateway} null: no
 * gateway of its own (e.g. a router outside it).
 */
public record NetworkConfig(String name, String driver, List<String> plugins, IpPrefix subnet, InetAddress gateway,
                            IpPrefix subnet6, InetAddress gateway6, Map<String, String> options) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    private static final List<String> YES = List.of("true", "yes", "on", "1");
    private static final List<String> NO = List.of("false", "no", "off", "0");

    public NetworkConfig {
        checkName(name);
        checkType("driver", driver);
        plugins = List.copyOf(plugins == null ? List.of() : plugins);
        for (String p : plugins) {
            checkType("plugin", p);
            if (p.equals(driver) || Collections.frequency(plugins, p) > 1) {
                throw new InvalidInputException("plugin", p, "appears twice in the chain");
            }
        }
        checkSubnet("subnet", subnet, gateway, Family.INET);
        if (subnet6 != null) {
            checkSubnet("ipv6", subnet6, gateway6, Family.INET6);
        }
        options = Collections.unmodifiableMap(new TreeMap<>(options == null ? Map.of() : options));
        for (Map.Entry<String, String> o : options.entrySet()) {
            if (!TYPE.matcher(o.getKey()).matches() || o.getValue() == null) {
                throw new InvalidInputException("opt", o.getKey() + "=" + o.getValue(), "must be KEY=VALUE with a key of lowercase letters, digits, '_', '.' or '-'");
            }
        }
    }

    /** The whole chain: the driver first, then the plugins. */
    public List<String> chain() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(driver), plugins.stream()).toList();
    }

    public Optional<String> option(String key) {
        return Optional.ofNullable(options.get(key));
    }

    /** A yes/no option: {@code true}/{@code false} (also yes/no, on/off, 1/0); absent is {@code fallback}. */
    public boolean flag(String key, boolean fallback) {
        String v = options.get(key);
        if (v != null && !YES.contains(v) && !NO.contains(v)) {
            throw new InvalidInputException(key, v, "must be true or false");
        }
        return v == null ? fallback : YES.contains(v);
    }

    /** A whole-number option within {@code min..max}, or null when absent. */
    public Integer number(String key, int min, int max) {
        String v = options.get(key);
        if (v != null && !(v.matches("\\d{1,9}") && Integer.parseInt(v) >= min && Integer.parseInt(v) <= max)) {
            throw new InvalidInputException(key, v, "must be a whole number in " + min + ".." + max);
        }
        return v == null ? null : Integer.valueOf(v);
    }

    /** The same network with {@code more} options added (existing keys keep their value). */
    public NetworkConfig withDefaults(Map<String, String> more) {
        if (more.isEmpty()) {
            return this;
        }
        Map<String, String> all = new TreeMap<>(more);
        all.putAll(options);
        return new NetworkConfig(name, driver, plugins, subnet, gateway, subnet6, gateway6, all);
    }

    /** Network names: 1-63 of letters, digits, '_', '.', '-', starting with a letter or digit. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException("network name", name, "must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        return name;
    }

    private static void checkType(String field, String type) {
        if (type == null || !TYPE.matcher(type).matches()) {
            throw new InvalidInputException(field, type, "must be 1-63 lowercase letters, digits, '_', '.' or '-'");
        }
    }

    private static void checkSubnet(String field, IpPrefix subnet, InetAddress gateway, Family family) {
        if (subnet == null) {
            throw new InvalidInputException(field, null, "is required");
        }
        if (subnet.family() != family) {
            throw new InvalidInputException(field, subnet, "must be an " + (family == Family.INET ? "IPv4" : "IPv6") + " subnet");
        }
        if (!subnet.isNetwork()) {
            throw new InvalidInputException(field, subnet, "has host bits set; did you mean " + subnet.network() + "?");
        }
        int maxLen = family == Family.INET ? 30 : 126;
        if (subnet.length() > maxLen) {
            throw new InvalidInputException(field, subnet, "is too small for a gateway and a container (at most /" + maxLen + ")");
        }
        if (gateway != null && (!subnet.contains(gateway) || gateway.equals(subnet.address())
                || (family == Family.INET && gateway.equals(subnet.last())))) {
            throw new InvalidInputException(field + " gateway", IpAddresses.format(gateway), "must be a host address inside " + subnet);
        }
    }

    /** The default gateway of a subnet: its first host address. */
    public static InetAddress firstHost(IpPrefix subnet) {
        return IpAddresses.add(subnet.network().address(), 1);
    }

    /** The gateway as an interface address with the subnet's prefix length, e.g. {@code 10.0.0.1/24}; null without one. */
    public IpPrefix gatewayAddress() {
        return gateway == null ? null : IpPrefix.of(gateway, subnet.length());
    }

    public IpPrefix gateway6Address() {
        return subnet6 == null || gateway6 == null ? null : IpPrefix.of(gateway6, subnet6.length());
    }

    /** The subnets, IPv4 first. */
    public List<IpPrefix> subnets() {
        return subnet6 == null ? List.of(subnet) : List.of(subnet, subnet6);
    }
}
