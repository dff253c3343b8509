package dev.patchbay.core.model;

import dev.patchbay.core.errors.InvalidInputException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parsing and arithmetic on IP address literals; never resolves host names. */
public final class IpAddresses {
    private IpAddresses() {
    }

    /** Parses an IPv4 or IPv6 literal; anything else (a host name included) is refused naming {@code field}. */
    public static InetAddress parse(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidInputException(field, text, "an IPv4 or IPv6 address is required");
        }
        boolean v4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = text.indexOf(':') >= 0 && text.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            throw new InvalidInputException(field, text, "not an IPv4 or IPv6 address");
        }
        if (v4) {
            for (String part : text.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new InvalidInputException(field, text, "octet " + part + " is above 255");
                }
            }
        }
        try {
            return InetAddress.getByName(text); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new InvalidInputException(field, text, "not an IPv4 or IPv6 address");
        }
    }

    public static BigInteger toBigInteger(InetAddress address) {
        return new BigInteger(1, address.getAddress());
    }

    public static InetAddress fromBigInteger(BigInteger value, Family family) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[family.bits() / 8];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The address {@code delta} after {@code address} (negative goes back); no wrap-around check. */
    public static InetAddress add(InetAddress address, long delta) {
        return fromBigInteger(toBigInteger(address).add(BigInteger.valueOf(delta)), Family.of(address));
    }

    /** Text form without host name or scope: {@code 10.0.0.1}, {@code fd00::1}. */
    public static String format(InetAddress address) {
        return address instanceof java.net.Inet6Address ? compress(address.getAddress()) : address.getHostAddress();
    }

    private static String compress(byte[] b) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0, run = 0; i < 8; i++) { // the first longest run of two or more zero words becomes "::"
            run = words[i] == 0 ? run + 1 : 0;
            if (run > bestLen) {
                bestStart = i - run + 1;
                bestLen = run;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(words[i]));
        }
        return sb.toString();
    }
}
