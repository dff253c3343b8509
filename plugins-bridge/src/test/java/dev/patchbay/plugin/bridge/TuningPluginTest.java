package dev.patchbay.plugin.bridge;

import static dev.patchbay.plugin.bridge.BridgeCniTest.map;
import static dev.patchbay.plugin.bridge.BridgeCniTest.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.LinkChange;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.network.CniChange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CNI type tuning as a call in the container's namespace ({@code cniChange}), on any network (Patchbay's or not):
 * configurations written as the contract hands them over; txQLen not served; bad values name the field.
 */
class TuningPluginTest {
    static final Map<String, Object> BASE = map("cniVersion", "1.0.0", "name", "podn", "type", "tuning");

    static CniChange change(Map<String, Object> conf) {
        return new TuningPlugin().cniChange(conf, Map.of(), null);
    }

    @Test
    void sysctlsMtuMacAndFlagsOnAnyNetwork() {
        CniChange c = change(map("cniVersion", "1.0.0", "name", "podn", "type", "tuning", "mtu", 1400L, "mac", "02:00:00:00:94:21",
                "promisc", true, "sysctl", map("net.ipv4.conf.eth0.arp_ignore", "1", "net/core/somaxconn", "512")));
        assertEquals(Map.of("net.ipv4.conf.eth0.arp_ignore", "1", "net/core/somaxconn", "512"), c.sysctls());
        assertEquals(List.of("net.ipv4.conf.eth0.arp_ignore", "net/core/somaxconn"), List.copyOf(c.sysctls().keySet()), "in order");
        assertEquals(1400, c.mtu());
        assertEquals(MacAddress.parse("02:00:00:00:94:21"), c.mac());
        assertEquals(new LinkChange(null, true, null, null), c.link());
        assertNull(c.ports(), "no published ports of its own");
        assertNull(c.backend());
    }

    @Test
    void anEmptyConfigurationStillActsInTheContainerAndAsksNothingThere() {
        CniChange c = change(BASE);
        assertEquals(Map.of(), c.sysctls(), "non-null: the call acts in the container's namespace");
        assertNull(c.mtu());
        assertNull(c.mac());
        assertNull(c.link());
        assertNull(change(with(BASE, "mtu", 0L)).mtu(), "0: as it is");
    }

    @Test
    void runtimeConfigsMacWins() {
        assertEquals(MacAddress.parse("02:00:00:00:00:02"), change(with(with(BASE, "mac", "02:00:00:00:00:01"),
                "runtimeConfig", map("mac", "02:00:00:00:00:02"))).mac());
        assertEquals(MacAddress.parse("02:00:00:00:00:01"), change(with(with(BASE, "mac", "02:00:00:00:00:01"),
                "runtimeConfig", map("mac", ""))).mac(), "an empty one is absent");
    }

    @Test
    void aTransmitQueueLengthIsNotServed() {
        UnavailableException e = assertThrows(UnavailableException.class, () -> change(with(BASE, "txQLen", 100L)));
        assertEquals("txQLen", ((InvalidInputException) e.getCause()).field());
    }

    @Test
    void badValuesNameTheField() {
        assertInvalid("sysctl.kernel.hostname", with(BASE, "sysctl", map("kernel.hostname", "x")));
        assertInvalid("sysctl.net.ipv4..x", with(BASE, "sysctl", map("net.ipv4..x", "1")));
        assertInvalid("sysctl.net.core.somaxconn", with(BASE, "sysctl", map("net.core.somaxconn", 512L)));
        assertInvalid("sysctl", with(BASE, "sysctl", List.of()));
        assertInvalid("mtu", with(BASE, "mtu", 70000L));
        assertInvalid("mtu", with(BASE, "mtu", "1400"));
        assertInvalid("mac", with(BASE, "mac", "not-a-mac"));
        assertInvalid("mac", with(BASE, "runtimeConfig", map("mac", "02:00:00:00:00")));
        assertInvalid("promisc", with(BASE, "promisc", "on"));
        assertInvalid("runtimeConfig", with(BASE, "runtimeConfig", "x"));
    }

    private static void assertInvalid(String field, Map<String, Object> conf) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> change(conf));
        assertEquals(field, e.field(), e.getMessage());
    }
}
