package dev.patchbay.firewall.nftables.nfnl;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.Protocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The nft data types of Patchbay's maps and how a concatenation of them is laid out in
 * NFTA_DATA_VALUE: each component in network order, padded to 4 bytes (an nft register).
 */
public enum NfType {
    INET_PROTO("inet_proto", 1),
    INET_SERVICE("inet_service", 2),
    IPV4_ADDR("ipv4_addr", 4),
    IPV6_ADDR("ipv6_addr", 16);

    private final String nftName;
    private final int size;

    NfType(String nftName, int size) {
        this.nftName = nftName;
        this.size = size;
    }

    /** The name nft gives the type ({@code inet_proto}, ...). */
    public String nftName() {
        return nftName;
    }

    private int padded() {
        return (size + 3) & ~3;
    }

    /** {@code a . b . c} as nft's type clause spells a concatenation. */
    public static String spell(List<NfType> types) {
        StringBuilder sb = new StringBuilder();
        for (NfType t : types) {
            sb.append(sb.length() == 0 ? "" : " . ").append(t.nftName);
        }
        return sb.toString();
    }

    /**
     * Encodes {@code text} ({@code 10.0.0.1 . tcp . 8080}, as nft prints it) as the concatenation
     * {@code types}; {@code field} names the value in errors.
     */
    public static byte[] encode(List<NfType> types, String field, String text) {
        int len = 0;
        for (NfType t : types) {
            len += t.padded();
        }
        byte[] out = new byte[len];
        int from = 0;
        int at = 0;
        for (int i = 0; i < types.size(); i++) {
            int to = i == types.size() - 1 ? text.length() : text.indexOf(" . ", from);
            if (to < 0) {
                throw new InvalidInputException(field, text, "expected " + spell(types));
            }
            types.get(i).put(field, text, text.substring(from, to), out, at);
            at += types.get(i).padded();
            from = to + 3;
        }
        return out; // a surplus " . x" ends up in the last component, which then fails to parse
    }

    private void put(String field, String whole, String part, byte[] out, int at) {
        switch (this) {
            case INET_PROTO:
                out[at] = (byte) protocol(field, whole, part);
                break;
            case INET_SERVICE:
                int port = number(field, whole, part, 65535);
                out[at] = (byte) (port >> 8);
                out[at + 1] = (byte) port;
                break;
            case IPV4_ADDR:
                ipv4(field, whole, part, out, at);
                break;
            default:
                InetAddress a = IpAddresses.parse(field, part);
                if (!(a instanceof Inet6Address)) {
                    throw new InvalidInputException(field, whole, "\"" + part + "\" is not an IPv6 address");
                }
                System.arraycopy(a.getAddress(), 0, out, at, 16);
        }
    }

    private static int protocol(String field, String whole, String part) {
        if (!part.isEmpty() && Character.isDigit(part.charAt(0))) {
            return number(field, whole, part, 255);
        }
        for (Protocol p : Protocol.values()) {
            if (p.label().equals(part)) {
                return p.number();
            }
        }
        throw new InvalidInputException(field, whole, "\"" + part + "\" is not a protocol (tcp, udp, sctp or a number)");
    }

    private static int number(String field, String whole, String part, int max) {
        int v = 0;
        if (part.isEmpty() || part.length() > 5) {
            throw new InvalidInputException(field, whole, "\"" + part + "\" is not a number from 0 to " + max);
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c < '0' || c > '9') {
                throw new InvalidInputException(field, whole, "\"" + part + "\" is not a number from 0 to " + max);
            }
            v = v * 10 + (c - '0');
        }
        if (v > max) {
            throw new InvalidInputException(field, whole, "\"" + part + "\" is above " + max);
        }
        return v;
    }

    /** Dotted quad without regex or InetAddress: this runs once per element, 10,000 times for a big apply. */
    private static void ipv4(String field, String whole, String part, byte[] out, int at) {
        int octet = -1;
        int dots = 0;
        for (int i = 0; i <= part.length(); i++) {
            char c = i == part.length() ? '.' : part.charAt(i);
            if (c == '.') {
                if (octet < 0 || dots > 3) {
                    throw new InvalidInputException(field, whole, "\"" + part + "\" is not an IPv4 address");
                }
                out[at + dots++] = (byte) octet;
                octet = -1;
            } else if (c >= '0' && c <= '9') {
                octet = (octet < 0 ? 0 : octet * 10) + (c - '0');
                if (octet > 255) {
                    throw new InvalidInputException(field, whole, "\"" + part + "\" is not an IPv4 address (octet above 255)");
                }
            } else {
                throw new InvalidInputException(field, whole, "\"" + part + "\" is not an IPv4 address");
            }
        }
        if (dots != 4) {
            throw new InvalidInputException(field, whole, "\"" + part + "\" is not an IPv4 address");
        }
    }
}
