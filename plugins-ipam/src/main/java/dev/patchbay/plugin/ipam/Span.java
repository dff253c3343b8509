package dev.patchbay.plugin.ipam;

import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import java.math.BigInteger;
import java.net.InetAddress;

/** One range with its defaults filled in, as numbers: addresses {@code start..end} of {@code subnet}, minus the gateway. */
record Span(int set, int index, IpPrefix subnet, BigInteger start, BigInteger end, BigInteger gateway) {

    Family family() {
        return subnet.family();
    }

    boolean contains(InetAddress address) {
        return Family.of(address) == family() && contains(IpAddresses.toBigInteger(address));
    }

    boolean contains(BigInteger v) {
        return v.compareTo(start) >= 0 && v.compareTo(end) <= 0;
    }

    boolean overlaps(Span other) {
        return other.family() == family() && start.compareTo(other.end) <= 0 && other.start.compareTo(end) <= 0;
    }

    InetAddress address(BigInteger v) {
        return IpAddresses.fromBigInteger(v, family());
    }

    InetAddress gatewayAddress() {
        return address(gateway);
    }

    /** How many addresses the span can hand out: its size less the gateway if inside. */
    BigInteger capacity() {
        BigInteger size = end.subtract(start).add(BigInteger.ONE);
        return contains(gateway) ? size.subtract(BigInteger.ONE) : size;
    }

    @Override
    public String toString() {
        return subnet + " " + IpAddresses.format(address(start)) + "-" + IpAddresses.format(address(end));
    }
}
