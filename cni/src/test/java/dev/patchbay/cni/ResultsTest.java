package dev.patchbay.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Results as text, per version, golden: the reference bridge's output for seed 004 §6 (its MACs and veth name). */
class ResultsTest {

    static JsonObject seedResult() {
        com.google.gson.JsonObject seed = JsonParser.parseString(CniServiceTest.SEED).getAsJsonObject();
        IpamConf ipam = IpamConf.parse(Conf.root(seed).object("ipam"), new HostLocalMapping(null));
        Map<Boolean, InetAddress> gateways = new HashMap<>();
        gateways.put(true, IpAddresses.parse("gw", "10.0.0.1"));
        gateways.put(false, null);
        return Results.added(List.of(new Results.Iface("devops0", "5a:4e:aa:41:27:78", null),
                        new Results.Iface("veth568773e8", "b2:7f:9c:ad:76:10", null),
                        new Results.Iface("eth10", "4a:82:ea:14:6d:54", "/var/run/docker/netns/f0b18d774f4e")),
                List.of(IpPrefix.parse("10.0.0.2/24")), gateways, ipam.routes(), DriverConf.dns(Conf.root(seed).object("dns")));
    }

    /** Seed 004 §6's result, as the reference bridge printed it. */
    static final String SEED_1_0_0 = """
            {
                "cniVersion": "1.0.0",
                "interfaces": [
                    {
                        "name": "devops0",
                        "mac": "5a:4e:aa:41:27:78"
                    },
                    {
                        "name": "veth568773e8",
                        "mac": "b2:7f:9c:ad:76:10"
                    },
                    {
                        "name": "eth10",
                        "mac": "4a:82:ea:14:6d:54",
                        "sandbox": "/var/run/docker/netns/f0b18d774f4e"
                    }
                ],
                "ips": [
                    {
                        "interface": 2,
                        "address": "10.0.0.2/24",
                        "gateway": "10.0.0.1"
                    }
                ],
                "routes": [
                    {
                        "dst": "0.0.0.0/0"
                    }
                ],
                "dns": {
                    "nameservers": [
                        "1.1.1.1"
                    ]
                }
            }
            """;

    @Test
    void theSeedsResultIn100IsTheReferencePluginsTextExactly() {
        assertEquals(SEED_1_0_0, JsonText.write(Results.convert(seedResult(), "1.0.0")));
        assertEquals(SEED_1_0_0.replace("1.0.0", "1.1.0"), JsonText.write(Results.convert(seedResult(), "1.1.0")));
    }

    @Test
    void before100EveryIpCarriesItsVersionFirst() {
        String v040 = SEED_1_0_0.replace("\"cniVersion\": \"1.0.0\"", "\"cniVersion\": \"0.4.0\"")
                .replace("            \"interface\": 2,", "            \"version\": \"4\",\n            \"interface\": 2,");
        assertEquals(v040, JsonText.write(Results.convert(seedResult(), "0.4.0")));
        assertEquals(v040.replace("0.4.0", "0.3.1"), JsonText.write(Results.convert(seedResult(), "0.3.1")));
        // and back: a 0.4.0 prevResult passed on in 1.0.0 loses the field
        assertEquals(SEED_1_0_0, JsonText.write(Results.convert(JsonParser.parseString(v040).getAsJsonObject(), "1.0.0")));
    }

    @Test
    void noRoutesNoKeyAndAnEmptyDnsObjectAsTheReferencePrintsThem() {
        Map<Boolean, InetAddress> gateways = new HashMap<>();
        gateways.put(true, IpAddresses.parse("gw", "10.1.0.1"));
        gateways.put(false, IpAddresses.parse("gw", "fd00::1"));
        JsonObject r = Results.added(List.of(new Results.Iface("ng0", "66:33:3e:d6:93:f8", null),
                new Results.Iface("vethb4e6e0b8", "66:33:3e:d6:93:f8", null), new Results.Iface("eth10", "06:64:2e:5a:b2:ea", "/run/netns/ctr")),
                List.of(IpPrefix.parse("10.1.0.2/24"), IpPrefix.parse("fd00::2/64")), gateways, List.of(), new JsonObject());
        assertEquals("""
                {
                    "cniVersion": "0.3.1",
                    "interfaces": [
                        {
                            "name": "ng0",
                            "mac": "66:33:3e:d6:93:f8"
                        },
                        {
                            "name": "vethb4e6e0b8",
                            "mac": "66:33:3e:d6:93:f8"
                        },
                        {
                            "name": "eth10",
                            "mac": "06:64:2e:5a:b2:ea",
                            "sandbox": "/run/netns/ctr"
                        }
                    ],
                    "ips": [
                        {
                            "version": "4",
                            "interface": 2,
                            "address": "10.1.0.2/24",
                            "gateway": "10.1.0.1"
                        },
                        {
                            "version": "6",
                            "interface": 2,
                            "address": "fd00::2/64",
                            "gateway": "fd00::1"
                        }
                    ],
                    "dns": {}
                }
                """, JsonText.write(Results.convert(r, "0.3.1")));
    }

    @Test
    void versionAndErrorText() {
        assertEquals("{\n    \"cniVersion\": \"0.4.0\",\n    \"supportedVersions\": [\n        \"0.3.0\",\n        \"0.3.1\",\n"
                + "        \"0.4.0\",\n        \"1.0.0\",\n        \"1.1.0\"\n    ]\n}\n", Results.version("0.4.0"));
        assertEquals("{\n    \"cniVersion\": \"1.0.0\",\n    \"code\": 7,\n    \"msg\": \"mtu: \\\"x\\\" must be a number\"\n}\n",
                Results.error("1.0.0", new CniError(7, "mtu: \"x\" must be a number")));
    }
}
