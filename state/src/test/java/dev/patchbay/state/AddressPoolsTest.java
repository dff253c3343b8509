package dev.patchbay.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link AddressPools}: the first subnet of the pools no taken prefix overlaps, in order, pool by pool, stepping over a
 * larger taken prefix at once; a pool that is not base=CIDR,size=LENGTH is refused, naming the setting and the value.
 */
class AddressPoolsTest {

    private static List<IpPrefix> prefixes(String... p) {
        List<IpPrefix> out = new ArrayList<>();
        for (String s : p) {
            out.add(IpPrefix.parse(s));
        }
        return out;
    }

    @Test
    void theFirstFreeSubnetInOrderSkippingWhatIsTaken() {
        AddressPools pools = AddressPools.parse(AddressPools.DEFAULT);
        assertEquals("10.89.0.0/24", pools.next(Family.INET, List.of()).orElseThrow().toString());
        assertEquals("10.89.2.0/24", pools.next(Family.INET, prefixes("10.89.0.0/24", "10.89.1.7/32")).orElseThrow().toString());
        // a host route over half the first pool: stepped over whole, to the first subnet past it
        assertEquals("10.89.128.0/24", pools.next(Family.INET, prefixes("10.89.0.0/17")).orElseThrow().toString());
        // a smaller one inside a candidate makes it taken
        assertEquals("10.89.1.0/24", pools.next(Family.INET, prefixes("10.89.0.64/26")).orElseThrow().toString());
        // the first pool full: the second's first
        assertEquals("10.90.0.0/24", pools.next(Family.INET, prefixes("10.89.0.0/16")).orElseThrow().toString());
        assertTrue(pools.next(Family.INET, prefixes("10.0.0.0/8")).isEmpty(), "every pool taken");
        assertTrue(pools.next(Family.INET6, List.of()).isEmpty(), "no IPv6 pool by default");
    }

    @Test
    void neverTheSameSubnetTwiceWhenEachPickIsTakenInTurn() {
        AddressPools pools = AddressPools.parse("base=10.1.0.0/22,size=24");
        List<IpPrefix> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            IpPrefix p = pools.next(Family.INET, taken).orElseThrow();
            assertEquals("10.1." + i + ".0/24", p.toString());
            taken.add(p);
        }
        assertTrue(pools.next(Family.INET, taken).isEmpty(), "4 subnets of /24 in a /22, then none");
    }

    @Test
    void ipv6PoolsAndAHugeBaseCostOneStepPerTakenPrefix() {
        AddressPools pools = AddressPools.parse("base=fd00:89::/32,size=64  base=10.128.0.0/9,size=24");
        assertEquals("fd00:89:0:1::/64", pools.next(Family.INET6, prefixes("fd00:89::/64")).orElseThrow().toString());
        assertEquals("fd00:89:1::/64", pools.next(Family.INET6, prefixes("fd00:89::/48")).orElseThrow().toString());
        assertEquals("10.128.0.0/24", pools.next(Family.INET, List.of()).orElseThrow().toString());
        assertEquals("base=fd00:89::/32,size=64 base=10.128.0.0/9,size=24", pools.toString());
    }

    @Test
    void aPoolThatIsNotBaseAndSizeIsRefusedNamingTheSettingAndTheValue() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> AddressPools.parse("base=10.1.0.0/16 size=24"));
        assertEquals("default-address-pools", e.field());
        assertEquals("base=10.1.0.0/16", e.value());
        e = assertThrows(InvalidInputException.class, () -> AddressPools.parse("base=10.1.0.0/16,size=8"));
        assertTrue(e.getMessage().contains("size must be from the base's length to 30"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> AddressPools.parse("base=10.1.0.1/16,size=24"));
        assertEquals("default-address-pools", e.field());
        assertThrows(InvalidInputException.class, () -> AddressPools.parse("base=10.1.0.0/33,size=24"));
    }
}
