package dev.patchbay.core.model;

import dev.patchbay.core.errors.InvalidInputException;
import java.math.BigInteger;
import java.net.InetAddress;

/** An address with a prefix length: interface address {@code 10.0.0.2/24}, its subnet ({@link #network()}) {@code 10.0.0.0/24}. */
public record IpPrefix(InetAddress address, int length) {

    public IpPrefix {
        if (address == null) {
            throw new InvalidInputException("prefix", null, "address is required");
        }
        int max = Family.of(address).bits();
        if (length < 0 || length > max) {
            throw new InvalidInputException("prefix", IpAddresses.format(address) + "/" + length, "prefix length must be 0.." + max);
        }
    }

    /** Parses {@code ADDR/LEN}; a bare address gets the full length (/32 or /128). */
    public static IpPrefix parse(String text) {
        return parse("prefix", text);
    }

    public static IpPrefix parse(String field, String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(field, text, "expected ADDRESS/LENGTH, e.g. 10.0.0.0/24");
        }
        int slash = text.indexOf('/');
        InetAddress address;
        try {
            address = IpAddresses.parse(field, slash < 0 ? text : text.substring(0, slash));
        } catch (InvalidInputException e) { // name the whole input, not just its address part
            throw new InvalidInputException(field, text, e.getMessage().replaceFirst("^invalid .*?\": ", ""));
        }
        int max = Family.of(address).bits();
        int length = max;
        if (slash >= 0) {
            String len = text.substring(slash + 1);
            if (!len.matches("\\d{1,3}") || Integer.parseInt(len) > max) {
                throw new InvalidInputException(field, text, "prefix length must be a number 0.." + max);
            }
            length = Integer.parseInt(len);
        }
        return new IpPrefix(address, length);
    }

    /** A subnet: like {@link #parse} but refuses host bits, e.g. {@code 10.0.0.1/24}. */
    public static IpPrefix parseSubnet(String field, String text) {
        IpPrefix p = parse(field, text);
        if (!p.isNetwork()) {
            throw new InvalidInputException(field, text, "has host bits set; did you mean " + p.network() + "?");
        }
        return p;
    }

    public static IpPrefix of(InetAddress address, int length) {
        return new IpPrefix(address, length);
    }

    public Family family() {
        return Family.of(address);
    }

    public boolean isV4() {
        return family() == Family.INET;
    }

    private BigInteger mask() {
        int bits = family().bits();
        return BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits - length).subtract(BigInteger.ONE));
    }

    /** The subnet this address lies in: host bits cleared. */
    public IpPrefix network() {
        return new IpPrefix(IpAddresses.fromBigInteger(IpAddresses.toBigInteger(address).and(mask()), family()), length);
    }

    public boolean isNetwork() {
        return network().address.equals(address);
    }

    /** The last address of the subnet (the IPv4 broadcast address). */
    public InetAddress last() {
        BigInteger hostMask = BigInteger.ONE.shiftLeft(family().bits() - length).subtract(BigInteger.ONE);
        return IpAddresses.fromBigInteger(IpAddresses.toBigInteger(address).or(hostMask), family());
    }

    /** Number of addresses in the subnet, capped at {@link Long#MAX_VALUE}. */
    public long size() {
        int hostBits = family().bits() - length;
        return hostBits >= 63 ? Long.MAX_VALUE : 1L << hostBits;
    }

    public boolean contains(InetAddress other) {
        return Family.of(other) == family() && IpAddresses.toBigInteger(other).and(mask()).equals(IpAddresses.toBigInteger(network().address));
    }

    /** True when the two subnets share at least one address. */
    public boolean overlaps(IpPrefix other) {
        return other.family() == family() && (contains(other.network().address) || other.contains(network().address));
    }

    @Override
    public String toString() {
        return IpAddresses.format(address) + "/" + length;
    }
}
