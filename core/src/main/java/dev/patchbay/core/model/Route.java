package dev.patchbay.core.model;

import java.net.InetAddress;

/**
 * A route. {@code null} means "not set / kernel default" for every field but {@code destination}.
 * A default route has destination {@code 0.0.0.0/0} or {@code ::/0}.
 *
 * @param table {@code null} is the main table (254)
 */
public record Route(IpPrefix destination, InetAddress gateway, IfName device, InetAddress source,
                    Integer metric, Integer table, Scope scope) {

    public static Route defaultVia(InetAddress gateway) {
        return new Route(IpPrefix.of(anyOf(Family.of(gateway)), 0), gateway, null, null, null, null, null);
    }

    /** A device route: {@code ip route add DEST dev DEV scope link}. */
    public static Route onLink(IpPrefix destination, IfName device) {
        return new Route(destination, null, device, null, null, null, Scope.LINK);
    }

    public boolean isDefault() {
        return destination.length() == 0;
    }

    private static InetAddress anyOf(Family family) {
        return IpAddresses.fromBigInteger(java.math.BigInteger.ZERO, family);
    }
}
