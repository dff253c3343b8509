package dev.patchbay.core.network;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import java.net.InetAddress;
import java.util.regex.Pattern;

/**
 * A network as the operator defined it. {@code subnet6}/{@code gateway6} are null for IPv4 only;
 * {@code uplink == null} masquerades out of any interface but the bridge.
 */
public record NetworkConfig(String name, String driver, IpPrefix subnet, InetAddress gateway, IpPrefix subnet6,
                            InetAddress gateway6, IfName bridge, boolean masquerade, IfName uplink, boolean isolate,
                            Integer mtu) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    public NetworkConfig {
        checkName(name);
        if (driver == null || driver.isEmpty()) {
            throw new InvalidInputException("driver", driver, "is required");
        }
        checkSubnet("subnet", subnet, gateway, Family.INET);
        if (subnet6 != null) {
            checkSubnet("ipv6", subnet6, gateway6, Family.INET6);
        }
        if (mtu != null && (mtu < 68 || mtu > 65535)) {
            throw new InvalidInputException("mtu", mtu, "must be 68..65535");
        }
        if (bridge == null) {
            throw new InvalidInputException("bridge", null, "is required");
        }
        if (uplink != null && uplink.equals(bridge)) {
            throw new InvalidInputException("uplink", uplink, "must not be the network's own bridge");
        }
    }

    /** Network names: 1-63 of letters, digits, '_', '.', '-', starting with a letter or digit. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException("network name", name, "must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        return name;
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
        if (gateway == null) {
            throw new InvalidInputException(field + " gateway", null, "is required");
        }
        if (!subnet.contains(gateway) || gateway.equals(subnet.address()) || (family == Family.INET && gateway.equals(subnet.last()))) {
            throw new InvalidInputException(field + " gateway", IpAddresses.format(gateway), "must be a host address inside " + subnet);
        }
    }

    /** The default gateway of a subnet: its first host address. */
    public static InetAddress firstHost(IpPrefix subnet) {
        return IpAddresses.add(subnet.network().address(), 1);
    }

    /** The gateway as an interface address with the subnet's prefix length, e.g. {@code 10.0.0.1/24}. */
    public IpPrefix gatewayAddress() {
        return IpPrefix.of(gateway, subnet.length());
    }

    public IpPrefix gateway6Address() {
        return subnet6 == null ? null : IpPrefix.of(gateway6, subnet6.length());
    }
}
