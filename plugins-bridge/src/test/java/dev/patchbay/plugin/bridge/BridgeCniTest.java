package dev.patchbay.plugin.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.UnavailableException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The CNI type bridge as the driver's options: the reference bridge's keys, what is not served (naming the key), bad values naming the key. */
class BridgeCniTest {
    /** Seed 004 §6's bridge.conf, as written. */
    static final String SEED = """
            {"cniVersion":"1.0.0","name":"devops","type":"bridge","bridge":"devops0","isGateway":true,"ipMasq":true,
             "ipam":{"type":"host-local","subnet":"10.0.0.0/24","routes":[{"dst":"0.0.0.0/0"}],"rangeStart":"10.0.0.2",
                     "rangeEnd":"10.0.0.5","gateway":"10.0.0.1"},
             "dns":{"nameservers":["1.1.1.1"]}}
            """;

    static Map<String, String> options(String json) {
        return new BridgePlugin().cniOptions(object(JsonParser.parseString(json).getAsJsonObject()));
    }

    static String with(String json, String key, String value) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        o.add(key, JsonParser.parseString(value));
        return o.toString();
    }

    /** The JSON object as the contract hands it over: maps, lists, strings, booleans, longs and doubles. */
    static Map<String, Object> object(JsonObject o) {
        Map<String, Object> m = new LinkedHashMap<>();
        o.entrySet().forEach(e -> m.put(e.getKey(), plain(e.getValue())));
        return m;
    }

    private static Object plain(JsonElement e) {
        if (e.isJsonNull()) {
            return null;
        }
        if (e.isJsonObject()) {
            return object(e.getAsJsonObject());
        }
        if (e.isJsonArray()) {
            List<Object> l = new ArrayList<>();
            e.getAsJsonArray().forEach(x -> l.add(plain(x)));
            return l;
        }
        var p = e.getAsJsonPrimitive();
        if (p.isNumber()) {
            return p.getAsString().contains(".") ? (Object) p.getAsDouble() : (Object) p.getAsLong();
        }
        return p.isBoolean() ? (Object) p.getAsBoolean() : p.getAsString();
    }

    @Test
    void theSeedsConfigIsABridgeWithMasqueradeAndItsRoute() {
        assertEquals(new TreeMap<>(Map.of("bridge", "devops0", "masquerade", "true", "routes", "0.0.0.0/0")), options(SEED));
    }

    @Test
    void dualStackDefaultGatewayHairpinAndMtu() {
        assertEquals(new TreeMap<>(Map.of("bridge", "dg0", "hairpin", "true", "mtu", "1400",
                "routes", "192.168.0.0/16 via 10.2.0.254,0.0.0.0/0 via 10.2.0.1,::/0 via fd00:2::fe")), options("""
                {"cniVersion":"0.4.0","name":"dg","type":"bridge","bridge":"dg0","isDefaultGateway":true,"hairpinMode":true,"mtu":1400,
                 "capabilities":{"ips":true},"someFutureKey":{"x":1},
                 "ipam":{"type":"host-local","dataDir":"/tmp/ipam","routes":[{"dst":"192.168.0.0/16","gw":"10.2.0.254"}],
                         "ranges":[[{"subnet":"10.2.0.0/24","rangeStart":"10.2.0.10"}],[{"subnet":"fd00:2::/64","gateway":"fd00:2::fe"}]]}}
                """), "host-local's default gateway (the first host) for IPv4, the range's own for IPv6");
    }

    @Test
    void enabledadTurnsDuplicateAddressDetectionOnItsDefaultOff() {
        String conf = """
                {"cniVersion":"1.0.0","name":"d","type":"bridge",%s"ipam":{"type":"host-local","subnet":"10.1.0.0/24"}}
                """;
        assertEquals("true", options(conf.formatted("\"enabledad\":true,")).get("dad"));
        assertNull(options(conf.formatted("\"enabledad\":false,")).get("dad"), "the bridge's default: off");
        assertNull(options(conf.formatted("")).get("dad"));
    }

    @Test
    void noGatewayOnTheBridgeAndNoRoutesAndTheDefaultBridgeName() {
        Map<String, String> o = options("""
                {"cniVersion":"1.0.0","name":"ng","type":"bridge","ipam":{"type":"host-local","subnet":"10.1.0.0/24"}}
                """);
        assertEquals("cni0", o.get("bridge"), "the reference bridge's default");
        assertEquals("false", o.get("gateway-on-bridge"));
        assertEquals("none", o.get("routes"));
    }

    @Test
    void whatPatchbayDoesNotServeIsUnavailableNamingTheKey() {
        assertNotServed("vlan", with(SEED, "vlan", "100"));
        assertNotServed("vlanTrunk", with(SEED, "vlanTrunk", "[{\"id\":5}]"));
        assertNotServed("macspoofchk", with(SEED, "macspoofchk", "true"));
        assertNotServed("portIsolation", with(SEED, "portIsolation", "true"));
        assertEquals("0.0.0.0/0", options(with(with(SEED, "vlan", "0"), "macspoofchk", "false")).get("routes"), "unset is served");
    }

    private static void assertNotServed(String key, String json) {
        UnavailableException e = assertThrows(UnavailableException.class, () -> options(json));
        assertEquals(key, ((InvalidInputException) e.getCause()).field(), e.getMessage());
    }

    @Test
    void badValuesNameTheKey() {
        assertInvalid("mtu", with(SEED, "mtu", "\"big\""));
        assertInvalid("mtu", with(SEED, "mtu", "20"));
        assertInvalid("ipMasq", with(SEED, "ipMasq", "\"yes\""));
        assertInvalid("bridge", with(SEED, "bridge", "\"a-name-far-too-long\""));
        assertInvalid("hairpinMode", with(with(SEED, "hairpinMode", "true"), "promiscMode", "true"));
        assertInvalid("vlan", with(SEED, "vlan", "5000"));
    }

    private static void assertInvalid(String key, String json) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> options(json));
        assertEquals(key, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
