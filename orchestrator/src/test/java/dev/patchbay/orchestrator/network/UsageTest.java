package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.RangeSet;
import dev.patchbay.core.model.IpAddresses;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The addresses the metrics count per network: a range's size less its gateway, less what is reserved in it. */
class UsageTest {

    private static AllocationRecord reserved(String address) {
        return new AllocationRecord("web", IpAddresses.parse("ip", address), "c-" + address, "eth0");
    }

    @Test
    void aWholeIpv4SubnetHasItsHostsLessTheGateway() {
        Usage.Addresses a = Usage.addresses(RangeSet.of(IpRange.parse("10.88.0.0/24", null, null, null)),
                List.of(reserved("10.88.0.2"), reserved("10.88.0.3")));
        assertEquals(new Usage.Addresses("ipv4", 2, 251), a, "254 hosts, the gateway 10.88.0.1, two reserved");
    }

    @Test
    void aRangeCountsOnlyWhatIsInsideIt() {
        Usage.Addresses a = Usage.addresses(RangeSet.of(IpRange.parse("10.88.0.0/24", "10.88.0.100", "10.88.0.109", "10.88.0.1")),
                List.of(reserved("10.88.0.2"), reserved("10.88.0.100"), reserved("fd00::5")));
        assertEquals(new Usage.Addresses("ipv4", 1, 9), a, "ten addresses, the gateway outside, one reserved inside");
    }

    @Test
    void anIpv6SubnetIsCountedInItsOwnFamily() {
        Usage.Addresses a = Usage.addresses(RangeSet.of(IpRange.parse("fd00:88::/120", null, null, null)),
                List.of(reserved("fd00:88::2"), reserved("10.88.0.2")));
        assertEquals(new Usage.Addresses("ipv6", 1, 253), a, "fd00:88::1-ff less the gateway ::1, one reserved");
    }

    @Test
    void aFullRangeHasNothingFreeAndNeverLessThanNothing() {
        Usage.Addresses a = Usage.addresses(RangeSet.of(IpRange.parse("10.88.0.0/30", null, null, null)),
                List.of(reserved("10.88.0.2")));
        assertEquals(new Usage.Addresses("ipv4", 1, 0), a, "a /30: 10.88.0.1 the gateway, 10.88.0.2 reserved");
    }
}
