package dev.patchbay.plugin.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.UnavailableException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The CNI type bridge as the driver's options: the reference bridge's keys, what is not served (naming the key), bad values naming the key. */
class BridgeCniTest {
    /** Seed 004 §6's bridge.conf, as the contract hands it over (maps, lists, strings, booleans, longs). */
    static final Map<String, Object> SEED = map("cniVersion", "1.0.0", "name", "devops", "type", "bridge", "bridge", "devops0",
            "isGateway", true, "ipMasq", true,
            "ipam", map("type", "host-local", "subnet", "10.0.0.0/24", "routes", List.of(map("dst", "0.0.0.0/0")),
                    "rangeStart", "10.0.0.2", "rangeEnd", "10.0.0.5", "gateway", "10.0.0.1"),
            "dns", map("nameservers", List.of("1.1.1.1")));

    static Map<String, String> options(Map<String, Object> conf) {
        return new BridgePlugin().cniOptions(conf);
    }

    /** A configuration object: KEY, VALUE, ... in order. */
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

    @Test
    void theSeedsConfigIsABridgeWithMasqueradeAndItsRoute() {
        assertEquals(new TreeMap<>(Map.of("bridge", "devops0", "masquerade", "true", "routes", "0.0.0.0/0")), options(SEED));
    }

    @Test
    void dualStackDefaultGatewayHairpinAndMtu() {
        assertEquals(new TreeMap<>(Map.of("bridge", "dg0", "hairpin", "true", "mtu", "1400",
                "routes", "192.168.0.0/16 via 10.2.0.254,0.0.0.0/0 via 10.2.0.1,::/0 via fd00:2::fe")), options(map(
                "cniVersion", "0.4.0", "name", "dg", "type", "bridge", "bridge", "dg0", "isDefaultGateway", true, "hairpinMode", true,
                "mtu", 1400L, "capabilities", map("ips", true), "someFutureKey", map("x", 1L),
                "ipam", map("type", "host-local", "dataDir", "/tmp/ipam", "routes", List.of(map("dst", "192.168.0.0/16", "gw", "10.2.0.254")),
                        "ranges", List.of(List.of(map("subnet", "10.2.0.0/24", "rangeStart", "10.2.0.10")),
                                List.of(map("subnet", "fd00:2::/64", "gateway", "fd00:2::fe")))))),
                "host-local's default gateway (the first host) for IPv4, the range's own for IPv6");
    }

    @Test
    void enabledadTurnsDuplicateAddressDetectionOnItsDefaultOff() {
        Map<String, Object> conf = map("cniVersion", "1.0.0", "name", "d", "type", "bridge",
                "ipam", map("type", "host-local", "subnet", "10.1.0.0/24"));
        assertEquals("true", options(with(conf, "enabledad", true)).get("dad"));
        assertNull(options(with(conf, "enabledad", false)).get("dad"), "the bridge's default: off");
        assertNull(options(conf).get("dad"));
    }

    @Test
    void noGatewayOnTheBridgeAndNoRoutesAndTheDefaultBridgeName() {
        Map<String, String> o = options(map("cniVersion", "1.0.0", "name", "ng", "type", "bridge",
                "ipam", map("type", "host-local", "subnet", "10.1.0.0/24")));
        assertEquals("cni0", o.get("bridge"), "the reference bridge's default");
        assertEquals("false", o.get("gateway-on-bridge"));
        assertEquals("none", o.get("routes"));
    }

    @Test
    void whatPatchbayDoesNotServeIsUnavailableNamingTheKey() {
        assertNotServed("vlan", with(SEED, "vlan", 100L));
        assertNotServed("vlanTrunk", with(SEED, "vlanTrunk", List.of(map("id", 5L))));
        assertNotServed("macspoofchk", with(SEED, "macspoofchk", true));
        assertNotServed("portIsolation", with(SEED, "portIsolation", true));
        assertEquals("0.0.0.0/0", options(with(with(SEED, "vlan", 0L), "macspoofchk", false)).get("routes"), "unset is served");
    }

    private static void assertNotServed(String key, Map<String, Object> json) {
        UnavailableException e = assertThrows(UnavailableException.class, () -> options(json));
        assertEquals(key, ((InvalidInputException) e.getCause()).field(), e.getMessage());
    }

    @Test
    void badValuesNameTheKey() {
        assertInvalid("mtu", with(SEED, "mtu", "big"));
        assertInvalid("mtu", with(SEED, "mtu", 20L));
        assertInvalid("ipMasq", with(SEED, "ipMasq", "yes"));
        assertInvalid("bridge", with(SEED, "bridge", "a-name-far-too-long"));
        assertInvalid("hairpinMode", with(with(SEED, "hairpinMode", true), "promiscMode", true));
        assertInvalid("vlan", with(SEED, "vlan", 5000L));
    }

    private static void assertInvalid(String key, Map<String, Object> json) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> options(json));
        assertEquals(key, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
