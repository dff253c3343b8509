package dev.patchbay.state;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The default address pools a network created without {@code --subnet} takes its subnet from, as Docker's
 * {@code default-address-pools}: each pool a base prefix cut into subnets of one size, tried in order, pool by pool.
 * Written {@code base=CIDR,size=LENGTH}, pools separated by spaces: the configuration's {@code default-address-pools}
 * ({@value #SETTING}), default {@value #DEFAULT}.
 */
public record AddressPools(List<Pool> pools) {
    public static final String SETTING = "patchbay.default.address.pools";
    public static final String DEFAULT = "base=10.89.0.0/16,size=24 base=10.90.0.0/15,size=24";

    /** One pool: subnets of prefix length {@code size} inside {@code base}. */
    public record Pool(IpPrefix base, int size) {
        public Pool {
            if (!base.isNetwork() || size < base.length() || size > base.family().bits() - 2) {
                throw new InvalidInputException("default-address-pools", "base=" + base + ",size=" + size, "size must be from the base's"
                        + " length to " + (base.family().bits() - 2) + ", and the base a subnet without host bits");
            }
        }
    }

    public AddressPools {
        pools = List.copyOf(pools);
    }

    /** The pools of {@code text}; an error names the setting and the value. */
    public static AddressPools parse(String text) {
        List<Pool> out = new ArrayList<>();
        for (String one : text.strip().split("\\s+")) {
            String[] kv = one.split(",");
            if (kv.length != 2 || !kv[0].startsWith("base=") || !kv[1].startsWith("size=") || !kv[1].substring(5).matches("[0-9]{1,3}")) {
                throw new InvalidInputException("default-address-pools", one, "is not base=CIDR,size=LENGTH (e.g. " + DEFAULT + ")");
            }
            IpPrefix base = IpPrefix.parse("default-address-pools", kv[0].substring(5));
            out.add(new Pool(base, Integer.parseInt(kv[1].substring(5))));
        }
        return new AddressPools(out);
    }

    /** The configured pools ({@link HostSetting}), else the default ones. */
    public static AddressPools configured() {
        String v = HostSetting.get(SETTING);
        return parse(v == null ? DEFAULT : v);
    }

    /**
     * The first subnet of the pools of {@code family} that overlaps none of {@code taken}; empty when every one does. Steps
     * over a taken prefix larger than the pools' subnets at once: at most one step per taken prefix per pool.
     */
    public Optional<IpPrefix> next(Family family, Collection<IpPrefix> taken) {
        for (Pool p : pools) {
            if (p.base().family() != family) {
                continue;
            }
            int bits = family.bits();
            BigInteger step = BigInteger.ONE.shiftLeft(bits - p.size());
            BigInteger at = IpAddresses.toBigInteger(p.base().address());
            BigInteger end = IpAddresses.toBigInteger(p.base().last());
            while (at.compareTo(end) <= 0) {
                IpPrefix candidate = IpPrefix.of(IpAddresses.fromBigInteger(at, family), p.size());
                IpPrefix hit = taken.stream().filter(candidate::overlaps).findFirst().orElse(null);
                if (hit == null) {
                    return Optional.of(candidate);
                }
                BigInteger past = IpAddresses.toBigInteger(hit.network().last()).add(BigInteger.ONE);
                at = at.add(step).max(past.add(step).subtract(BigInteger.ONE).divide(step).multiply(step)); // aligned, past the hit
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return String.join(" ", pools.stream().map(p -> "base=" + p.base() + ",size=" + p.size()).toList());
    }
}
