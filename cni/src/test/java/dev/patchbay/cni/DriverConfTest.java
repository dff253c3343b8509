package dev.patchbay.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.plugin.bridge.BridgePlugin;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A configuration of a type an installed driver serves, as a Patchbay network, with the bridge driver as the driver: what
 * cni does around the driver's mapping (ipam, dns, what is not served, code 7 naming the field, comparing with an
 * existing network, the identity) and CNI_ARGS/runtimeConfig. The mapping itself is plugins-bridge's BridgeCniTest.
 */
class DriverConfTest {
    static final String SEED = CniServiceTest.SEED;
    static final NetworkPlugin BRIDGE = new BridgePlugin();

    /** The bridge's options and its default chain's firewall option (the firewall plugin is not on this classpath). */
    static final Set<String> CHAIN = chain();

    private static Set<String> chain() {
        Set<String> s = new TreeSet<>(BRIDGE.options().keySet());
        s.add("masquerade");
        return s;
    }

    static DriverConf parse(String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        return DriverConf.parse("bridge", BRIDGE, CHAIN, o.get("name").getAsString(), Conf.root(o), new HostLocalMapping(null));
    }

    static String with(String json, String key, String value) {
        return CniServiceTest.with(json, key, value);
    }

    @Test
    void keysSpelledAsGoFieldsGiveTheSameNetwork() {
        String folded = SEED.replace("\"isGateway\"", "\"IsGateway\"").replace("\"ipMasq\"", "\"IPMasq\"")
                .replace("\"bridge\": \"devops0\"", "\"Bridge\": \"devops0\"").replace("\"ipam\"", "\"IPAM\"");
        assertNotEquals(SEED, folded);
        assertEquals(parse(SEED).network(), parse(folded).network());
    }

    @Test
    void theSeedsConfigIsABridgeNetworkWithMasqueradeARangeAndItsRoute() {
        DriverConf c = parse(SEED);
        NetworkConfig n = c.network();
        assertEquals("devops", n.name());
        assertEquals("bridge", n.driver());
        assertEquals(List.of(), n.plugins(), "the driver's own chain: firewall, portmap");
        assertEquals("10.0.0.0/24", n.subnet().toString());
        assertEquals("10.0.0.1", IpAddresses.format(n.gateway()));
        assertNull(n.subnet6());
        assertEquals(new TreeMap<>(Map.of("bridge", "devops0", "masquerade", "true", "routes", "0.0.0.0/0",
                "ipam.dir", "/var/lib/cni/networks", "ipam.range", "10.0.0.2-10.0.0.5")), n.options());
        assertEquals("{\"nameservers\":[\"1.1.1.1\"]}", c.dns().toString());
        assertEquals(1, c.ipam().routes().size(), "the result's routes: ipam.routes as written");
        assertNull(c.ipam().routes().get(0).gw());
    }

    @Test
    void whatPatchbayDoesNotServeFallsThroughNamingTheField() {
        assertEquals("ipam.type", assertThrows(Unserved.class, () -> parse(with(SEED, "ipam", "{\"type\":\"dhcp\"}"))).field());
        assertEquals("ipam", assertThrows(Unserved.class, () -> parse(with(SEED, "ipam", "null"))).field());
        assertEquals("ipam.ranges[0]", assertThrows(Unserved.class, () -> parse(with(SEED, "ipam",
                "{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.0.0.0/25\"},{\"subnet\":\"10.0.0.128/25\"}]]}"))).field());
        assertEquals("ipam", assertThrows(Unserved.class, () -> parse(with(SEED, "ipam",
                "{\"type\":\"host-local\",\"subnet\":\"fd00::/64\"}"))).field());
        Unserved vlan = assertThrows(Unserved.class, () -> parse(with(SEED, "vlan", "100")));
        assertEquals("vlan", vlan.field(), "the driver's UnavailableException names the key in its cause");
        assertEquals("a VLAN (100)", vlan.getMessage());
        assertEquals("macspoofchk", assertThrows(Unserved.class, () -> parse(with(SEED, "macspoofchk", "true"))).field());
    }

    @Test
    void badValuesAreCode7NamingTheField() {
        assertConfig("mtu", () -> parse(with(SEED, "mtu", "\"big\"")));
        assertConfig("mtu", () -> parse(with(SEED, "mtu", "20")));
        assertConfig("ipMasq", () -> parse(with(SEED, "ipMasq", "\"yes\"")));
        assertConfig("bridge", () -> parse(with(SEED, "bridge", "\"a-name-far-too-long\"")));
        assertConfig("hairpinMode", () -> parse(with(with(SEED, "hairpinMode", "true"), "promiscMode", "true")));
        assertConfig("ipam.subnet", () -> parse(SEED.replace("10.0.0.0/24", "10.0.0.0/33")));
        assertConfig("ipam.subnet", () -> parse(SEED.replace("10.0.0.0/24", "10.0.0.0/31")));
        assertConfig("ipam.rangeStart", () -> parse(SEED.replace("\"10.0.0.2\"", "\"10.9.0.2\"")));
        assertConfig("ipam.rangeStart", () -> parse(SEED.replace("\"10.0.0.2\"", "\"10.0.0.9\"")));
        assertConfig("ipam.gateway", () -> parse(SEED.replace("\"10.0.0.1\"", "\"10.0.0.0\"")));
        assertConfig("ipam.routes[0].dst", () -> parse(SEED.replace("0.0.0.0/0", "nowhere")));
        assertConfig("dns.nameservers", () -> parse(with(SEED, "dns", "{\"nameservers\":\"1.1.1.1\"}")));
    }

    private static void assertConfig(String field, org.junit.jupiter.api.function.Executable e) {
        CniError error = assertThrows(CniError.class, e);
        assertEquals(CniError.INVALID_CONFIG, error.code(), error.getMessage());
        assertTrue(error.getMessage().startsWith(field + ":"), "names " + field + ": " + error.getMessage());
    }

    /** host-local's mapping gives the data directory as a path ("/x/" is "/x"); a network recorded before, as written, is the same. */
    @Test
    void aDataDirectoryRecordedAsWrittenIsTheSameDirectory() {
        DriverConf c = parse(SEED);
        java.util.Map<String, String> asWritten = new java.util.TreeMap<>(c.network().options());
        asWritten.put("ipam.dir", "/var/lib/cni//networks/");
        NetworkConfig before = new NetworkConfig("devops", "bridge", List.of(), c.network().subnet(), c.network().gateway(), null, null, asWritten);
        c.requireSame(before);
        asWritten.put("ipam.dir", "/var/lib/cni/other");
        NetworkConfig other = new NetworkConfig("devops", "bridge", List.of(), c.network().subnet(), c.network().gateway(), null, null, asWritten);
        assertEquals(7, assertThrows(CniError.class, () -> c.requireSame(other)).code());
    }

    @Test
    void anExistingNetworkWithOtherSettingsIsCode7NamingTheOption() {
        DriverConf c = parse(SEED);
        c.requireSame(c.network()); // the same: fine
        CniError e = assertThrows(CniError.class, () -> c.requireSame(parse(with(SEED, "ipMasq", "false")).network()));
        assertEquals(7, e.code());
        assertTrue(e.getMessage().startsWith("option masquerade: network \"devops\" exists with other settings: it has masquerade=(unset), "
                + "this configuration asks for masquerade=true"), e.getMessage());
        DriverConf unmasked = parse(with(SEED, "ipMasq", "false"));
        e = assertThrows(CniError.class, () -> unmasked.requireSame(c.network()));
        assertTrue(e.getMessage().startsWith("option masquerade: "), "a chained plugin's option set there, absent here: " + e.getMessage());
        e = assertThrows(CniError.class, () -> c.requireSame(parse(SEED.replace("10.0.0.0/24", "10.0.8.0/24")
                .replace("10.0.0.", "10.0.8.")).network()));
        assertTrue(e.getMessage().startsWith("ipam.subnet/gateway: "), e.getMessage());
        e = assertThrows(CniError.class, () -> c.requireSame(parse(with(SEED, "mtu", "1400")).network()));
        assertTrue(e.getMessage().startsWith("option mtu: "), e.getMessage());
        NetworkConfig createdByCli = new NetworkConfig("devops", "bridge", List.of("firewall", "portmap"), c.network().subnet(),
                c.network().gateway(), null, null, Map.of("bridge", "pb-devops"));
        e = assertThrows(CniError.class, () -> c.requireSame(createdByCli));
        assertTrue(e.getMessage().startsWith("option bridge: "), e.getMessage());
    }

    @Test
    void staticAddressesAndMacFromCniArgsRuntimeConfigAndArgs() {
        JsonObject o = JsonParser.parseString(with(with(SEED, "runtimeConfig", "{\"ips\":[\"10.0.0.4/24\"],\"mac\":\"02:00:00:00:00:09\"}"),
                "args", "{\"cni\":{\"ips\":[\"fd00::4\"]}}")).getAsJsonObject();
        CniCall call = new CniCall("ADD", "bridge", Map.of("CNI_COMMAND", "ADD", "CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.0.0.3;MAC=02:00:00:00:00:03"),
                o.toString().getBytes(), o);
        AttachArgs a = AttachArgs.of(call, Conf.root(o));
        assertEquals(List.of("10.0.0.3", "10.0.0.4", "fd00::4"), a.ips().stream().map(IpAddresses::format).toList());
        assertEquals("02:00:00:00:00:09", a.mac().value(), "runtimeConfig after CNI_ARGS");
        CniCall bad = new CniCall("ADD", "bridge", Map.of("CNI_ARGS", "IP=10.0.0.300"), o.toString().getBytes(), o);
        assertEquals(4, assertThrows(CniError.class, () -> AttachArgs.of(bad, Conf.root(o))).code());
        CniCall noEq = new CniCall("ADD", "bridge", Map.of("CNI_ARGS", "IgnoreUnknown"), o.toString().getBytes(), o);
        assertEquals(4, assertThrows(CniError.class, () -> AttachArgs.of(noEq, Conf.root(o))).code());
    }

    @Test
    void theIdentityIsTheNetworksSettingsNotTheWayTheyAreWritten() {
        String id = parse(SEED).identity();
        assertEquals(id, parse(with(SEED, "dns", "{}")).identity(), "dns does not define the network");
        assertEquals(id, parse(with(SEED, "ipMasq", "true")).identity());
        assertEquals(id, parse(with(SEED, "vlan", "0")).identity(), "a key at its default");
        assertNotEquals(id, parse(with(SEED, "ipMasq", "false")).identity());
        assertNotEquals(id, parse(with(SEED, "bridge", "\"unrelated0\"")).identity());
        assertNotEquals(id, parse(with(SEED, "name", "\"other\"")).identity());
        assertNotEquals(id, parse(with(SEED, "ipam", "{\"type\":\"host-local\",\"subnet\":\"10.99.0.0/24\"}")).identity());
    }
}
