package dev.patchbay.plugin.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Route;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CNI IPAM type host-local as ranges, routes and a data directory ({@code Ipam.cniIpam}): the {@code ipam} object written
 * as the contract hands it over (maps, lists, strings); another type not served; bad values name the field.
 */
class HostLocalCniTest {
    /** Seed 004 §6's ipam object. */
    static final Map<String, Object> SEED = map("type", "host-local", "subnet", "10.0.0.0/24", "routes", List.of(map("dst", "0.0.0.0/0")),
            "rangeStart", "10.0.0.2", "rangeEnd", "10.0.0.5", "gateway", "10.0.0.1");

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, Object> with(Map<String, Object> conf, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(conf);
        m.put(key, value);
        return m;
    }

    static Ipam.CniIpam map(Map<String, Object> ipam) {
        return new HostLocalIpam().cniIpam(ipam);
    }

    static IpPrefix prefix(String text) {
        return IpPrefix.parse("test", text);
    }

    @Test
    void theSeedsIpamIsOneRangeWithItsRouteInTheDefaultDataDirectory() {
        Ipam.CniIpam m = map(SEED);
        assertEquals(1, m.config().rangeSets().size());
        assertEquals(new IpRange(prefix("10.0.0.0/24"), IpAddresses.parse("a", "10.0.0.2"), IpAddresses.parse("a", "10.0.0.5"),
                IpAddresses.parse("a", "10.0.0.1")), m.config().rangeSets().get(0).ranges().get(0));
        assertEquals(List.of(new Route(prefix("0.0.0.0/0"), null, null, null, null, null, null)), m.config().routes());
        assertEquals(Path.of("/var/lib/cni/networks"), m.dataDir());
    }

    @Test
    void subnetFirstThenRangesEachSetWithItsRangesAndGatewaysDefaultingToTheFirstHost() {
        Ipam.CniIpam m = map(map("type", "host-local", "subnet", "10.1.0.7/24", "dataDir", "/run/ipam",
                "ranges", List.of(List.of(map("subnet", "fd00:1::/64", "gateway", "fd00:1::fe")),
                        List.of(map("subnet", "10.2.0.0/25"), map("subnet", "10.2.0.128/25", "rangeStart", "")))));
        var sets = m.config().rangeSets();
        assertEquals(3, sets.size(), "the subnet's set first, then each of ranges");
        assertEquals(prefix("10.1.0.0/24"), sets.get(0).ranges().get(0).subnet(), "taken as its network");
        assertEquals(IpAddresses.parse("a", "10.1.0.1"), sets.get(0).ranges().get(0).gateway());
        assertEquals(IpAddresses.parse("a", "fd00:1::fe"), sets.get(1).ranges().get(0).gateway());
        assertEquals(2, sets.get(2).ranges().size(), "several ranges in a set are host-local's: a network's to refuse");
        assertNull(sets.get(2).ranges().get(1).rangeStart(), "empty is absent");
        assertEquals(Path.of("/run/ipam"), m.dataDir());
        assertEquals(List.of(), m.config().routes());
    }

    @Test
    void anotherIpamTypeIsNotServed() {
        for (Map<String, Object> ipam : List.of(map("type", "dhcp"), map("subnet", "10.0.0.0/24"))) {
            UnavailableException e = assertThrows(UnavailableException.class, () -> map(ipam));
            assertEquals("ipam.type", ((InvalidInputException) e.getCause()).field());
        }
    }

    @Test
    void badValuesNameTheField() {
        assertInvalid("ipam.subnet", with(SEED, "subnet", "10.0.0.0/33"));
        assertInvalid("ipam.subnet", with(SEED, "subnet", "10.0.0.0/31"));
        assertInvalid("ipam.subnet", with(SEED, "subnet", 10L));
        assertInvalid("ipam.rangeStart", with(SEED, "rangeStart", "10.9.0.2"));
        assertInvalid("ipam.rangeStart", with(SEED, "rangeStart", "10.0.0.9"));
        assertInvalid("ipam.gateway", with(SEED, "gateway", "10.0.0.0"));
        assertInvalid("ipam.gateway", with(SEED, "gateway", "10.0.0.255"));
        assertInvalid("ipam.routes[0].dst", with(SEED, "routes", List.of(map("dst", "nowhere"))));
        assertInvalid("ipam.routes[0].dst", with(SEED, "routes", List.of(map("gw", "10.0.0.1"))));
        assertInvalid("ipam.routes[0].gw", with(SEED, "routes", List.of(map("dst", "fd00::/8", "gw", "10.0.0.1"))));
        assertInvalid("ipam.dataDir", with(SEED, "dataDir", "relative/dir"));
        assertInvalid("ipam.ranges[0]", map("type", "host-local", "ranges", List.of(List.of())));
        assertInvalid("ipam.ranges[0][1]", map("type", "host-local", "ranges", List.of(List.of(map("subnet", "10.0.0.0/24"), "x"))));
        assertInvalid("ipam.ranges[0][0].subnet", map("type", "host-local", "ranges", List.of(List.of(map("gateway", "10.0.0.1")))));
        assertInvalid("ipam", map("type", "host-local"));
    }

    private static void assertInvalid(String field, Map<String, Object> ipam) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> map(ipam));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
