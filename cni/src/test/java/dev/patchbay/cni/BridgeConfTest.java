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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A bridge configuration mapped onto a Patchbay network: options, subnets, what is not served, code 7 naming the field. */
class BridgeConfTest {
    /** Seed 004 §6's bridge.conf, as written. */
    static final String SEED = """
            {
                "cniVersion": "1.0.0",
                "name": "devops",
                "type": "bridge",
                "bridge": "devops0",
                "isGateway": true,
                "ipMasq": true,
                "ipam": {
                    "type": "host-local",
                    "subnet": "10.0.0.0/24",
                    "routes": [
                        { "dst": "0.0.0.0/0" }
                    ],
                    "rangeStart": "10.0.0.2",
                    "rangeEnd": "10.0.0.5",
                    "gateway": "10.0.0.1"
                },
                "dns": {
                    "nameservers": [ "1.1.1.1" ]
                }
            }
            """;

    static BridgeConf parse(String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        return BridgeConf.parse(o.get("name").getAsString(), Conf.root(o));
    }

    static String with(String json, String key, String value) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        o.add(key, JsonParser.parseString(value));
        return o.toString();
    }

    @Test
    void theSeedsConfigIsABridgeNetworkWithMasqueradeARangeAndItsRoute() {
        BridgeConf c = parse(SEED);
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
        assertEquals(1, c.routes().size());
        assertNull(c.routes().get(0).gw());
    }

    @Test
    void dualStackDefaultGatewayHairpinMtuAndDataDir() {
        BridgeConf c = parse("""
                {"cniVersion":"0.4.0","name":"dg","type":"bridge","bridge":"dg0","isDefaultGateway":true,"hairpinMode":true,"mtu":1400,
                 "capabilities":{"ips":true},"someFutureKey":{"x":1},
                 "ipam":{"type":"host-local","dataDir":"/tmp/ipam","routes":[{"dst":"192.168.0.0/16","gw":"10.2.0.254"}],
                         "ranges":[[{"subnet":"10.2.0.0/24","rangeStart":"10.2.0.10"}],[{"subnet":"fd00:2::/64","gateway":"fd00:2::fe"}]]}}
                """);
        NetworkConfig n = c.network();
        assertEquals("fd00:2::/64", n.subnet6().toString());
        assertEquals("fd00:2::fe", IpAddresses.format(n.gateway6()));
        assertEquals("10.2.0.1", IpAddresses.format(n.gateway()), "host-local's default gateway: the first host");
        assertEquals(new TreeMap<>(Map.of("bridge", "dg0", "hairpin", "true", "mtu", "1400", "ipam.dir", "/tmp/ipam",
                "ipam.range", "10.2.0.10-", "routes", "192.168.0.0/16 via 10.2.0.254,0.0.0.0/0 via 10.2.0.1,::/0 via fd00:2::fe")), n.options());
    }

    @Test
    void enabledadTurnsDuplicateAddressDetectionOnAsTheReferenceDoesItsDefaultOff() {
        String conf = """
                {"cniVersion":"1.0.0","name":"d","type":"bridge",%s"ipam":{"type":"host-local","subnet":"10.1.0.0/24"}}
                """;
        assertEquals("true", parse(conf.formatted("\"enabledad\":true,")).network().options().get("dad"));
        assertEquals(null, parse(conf.formatted("\"enabledad\":false,")).network().options().get("dad"), "the bridge's default: off");
        assertEquals(null, parse(conf.formatted("")).network().options().get("dad"));
        assertEquals("enabledad", parse(conf.formatted("")).fields().get("dad"), "a contradiction names the key");
    }

    @Test
    void noGatewayOnTheBridgeAndNoRoutesAndTheDefaultBridgeName() {
        NetworkConfig n = parse("""
                {"cniVersion":"1.0.0","name":"ng","type":"bridge","ipam":{"type":"host-local","subnet":"10.1.0.0/24"}}
                """).network();
        assertEquals("cni0", n.options().get("bridge"), "the reference bridge's default");
        assertEquals("false", n.options().get("gateway-on-bridge"));
        assertEquals("none", n.options().get("routes"));
        assertEquals("10.1.0.1", IpAddresses.format(n.gateway()), "still host-local's gateway: never handed out, in the result");
    }

    @Test
    void whatPatchbayDoesNotServeFallsThroughNamingTheField() {
        assertEquals("ipam.type", assertThrows(Unserved.class, () -> parse(with(SEED, "ipam", "{\"type\":\"dhcp\"}"))).field());
        assertEquals("ipam", assertThrows(Unserved.class, () -> parse(with(SEED, "ipam", "null"))).field());
        assertEquals("ipam.ranges[0]", assertThrows(Unserved.class, () -> parse(with(SEED, "ipam",
                "{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.0.0.0/25\"},{\"subnet\":\"10.0.0.128/25\"}]]}"))).field());
        assertEquals("ipam", assertThrows(Unserved.class, () -> parse(with(SEED, "ipam",
                "{\"type\":\"host-local\",\"subnet\":\"fd00::/64\"}"))).field());
        assertEquals("vlan", assertThrows(Unserved.class, () -> parse(with(SEED, "vlan", "100"))).field());
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

    @Test
    void anExistingNetworkWithOtherSettingsIsCode7NamingTheConfigField() {
        BridgeConf c = parse(SEED);
        c.requireSame(c.network()); // the same: fine
        CniError e = assertThrows(CniError.class, () -> c.requireSame(parse(with(SEED, "ipMasq", "false")).network()));
        assertEquals(7, e.code());
        assertTrue(e.getMessage().startsWith("ipMasq: network \"devops\" exists with other settings: it has masquerade=false, "
                + "this configuration asks for masquerade=true"), e.getMessage());
        e = assertThrows(CniError.class, () -> c.requireSame(parse(SEED.replace("10.0.0.0/24", "10.0.8.0/24")
                .replace("10.0.0.", "10.0.8.")).network()));
        assertTrue(e.getMessage().startsWith("ipam.subnet/gateway: "), e.getMessage());
        e = assertThrows(CniError.class, () -> c.requireSame(parse(with(SEED, "mtu", "1400")).network()));
        assertTrue(e.getMessage().startsWith("mtu: "), e.getMessage());
        NetworkConfig createdByCli = new NetworkConfig("devops", "bridge", List.of("firewall", "portmap"), c.network().subnet(),
                c.network().gateway(), null, null, Map.of("bridge", "pb-devops"));
        e = assertThrows(CniError.class, () -> c.requireSame(createdByCli));
        assertTrue(e.getMessage().startsWith("bridge: "), e.getMessage());
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
        assertNotEquals(id, parse(with(SEED, "ipMasq", "false")).identity());
        assertNotEquals(id, parse(with(SEED, "bridge", "\"unrelated0\"")).identity());
        assertNotEquals(id, parse(with(SEED, "name", "\"other\"")).identity());
        assertNotEquals(id, parse(with(SEED, "ipam", "{\"type\":\"host-local\",\"subnet\":\"10.99.0.0/24\"}")).identity());
    }
}
