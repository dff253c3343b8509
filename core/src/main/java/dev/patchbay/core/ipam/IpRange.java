package dev.patchbay.core.ipam;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import java.net.InetAddress;

/**
 * One range of a subnet, as CNI host-local's {@code {"subnet","rangeStart","rangeEnd","gateway"}}. A null
 * {@code rangeStart} means the first host, a null {@code rangeEnd} the last (IPv4: before the broadcast address),
 * a null {@code gateway} the first host. The gateway is never handed out.
 */
public record IpRange(IpPrefix subnet, InetAddress rangeStart, InetAddress rangeEnd, InetAddress gateway) {
    public IpRange {
        if (subnet == null) {
            throw new InvalidInputException("subnet", null, "is required");
        }
    }

    public static IpRange of(IpPrefix subnet) {
        return new IpRange(subnet, null, null, null);
    }

    /** Parses the four host-local fields; null or empty strings mean "default". Errors name the field. */
    public static IpRange parse(String subnet, String rangeStart, String rangeEnd, String gateway) {
        return new IpRange(IpPrefix.parseSubnet("subnet", subnet), address("rangeStart", rangeStart),
                address("rangeEnd", rangeEnd), address("gateway", gateway));
    }

    private static InetAddress address(String field, String text) {
        return text == null || text.isEmpty() ? null : IpAddresses.parse(field, text);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(subnet.toString());
        if (rangeStart != null || rangeEnd != null) {
            sb.append(' ').append(rangeStart == null ? "" : IpAddresses.format(rangeStart)).append('-')
                    .append(rangeEnd == null ? "" : IpAddresses.format(rangeEnd));
        }
        return sb.toString();
    }
}
