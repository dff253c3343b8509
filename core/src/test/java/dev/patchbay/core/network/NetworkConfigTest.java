package dev.patchbay.core.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkConfigTest {

    static NetworkConfig config(String subnet, String gateway) {
        IpPrefix s = IpPrefix.parse(subnet);
        return new NetworkConfig("web", "bridge", List.of("firewall"), s, gateway == null ? NetworkConfig.firstHost(s) : IpAddresses.parse("gw", gateway),
                null, null, java.util.Map.of("bridge", "br0"));
    }

    @Test
    void defaultGatewayIsTheFirstHost() {
        assertEquals("10.0.0.1/24", config("10.0.0.0/24", null).gatewayAddress().toString());
    }

    @Test
    void refusesGatewaysOutsideOrAtTheEdges() {
        assertThrows(InvalidInputException.class, () -> config("10.0.0.0/24", "10.0.1.1"));
        assertThrows(InvalidInputException.class, () -> config("10.0.0.0/24", "10.0.0.0"));
        assertThrows(InvalidInputException.class, () -> config("10.0.0.0/24", "10.0.0.255"));
    }

    @Test
    void refusesSubnetsTooSmallOrWithHostBits() {
        InvalidInputException small = assertThrows(InvalidInputException.class, () -> config("10.0.0.0/31", "10.0.0.1"));
        assertTrue(small.getMessage().contains("too small"), small.getMessage());
        InvalidInputException host = assertThrows(InvalidInputException.class, () -> config("10.0.0.1/24", "10.0.0.2"));
        assertTrue(host.getMessage().contains("did you mean 10.0.0.0/24"), host.getMessage());
    }

    @Test
    void theChainStartsWithTheDriverAndOptionsAreTyped() {
        NetworkConfig c = new NetworkConfig("web", "bridge", List.of("firewall", "portmap"), IpPrefix.parse("10.0.0.0/24"), null,
                null, null, java.util.Map.of("mtu", "1400", "masquerade", "yes"));
        assertEquals(List.of("bridge", "firewall", "portmap"), c.chain());
        assertEquals(1400, c.number("mtu", 68, 65535));
        assertTrue(c.flag("masquerade", false));
        assertEquals("mtu", assertThrows(InvalidInputException.class, () -> c.number("mtu", 1500, 9000)).field());
        assertEquals("plugin", assertThrows(InvalidInputException.class, () -> new NetworkConfig("web", "bridge", List.of("bridge"),
                IpPrefix.parse("10.0.0.0/24"), null, null, null, null)).field());
        assertEquals("opt", assertThrows(InvalidInputException.class, () -> new NetworkConfig("web", "bridge", List.of(),
                IpPrefix.parse("10.0.0.0/24"), null, null, null, java.util.Map.of("Bad Key", "x"))).field());
        assertEquals("br0", c.withDefaults(java.util.Map.of("bridge", "br0", "mtu", "9000")).option("bridge").orElseThrow());
        assertEquals(1400, c.withDefaults(java.util.Map.of("mtu", "9000")).number("mtu", 68, 65535));
    }

    @Test
    void networkNamesAreSafeTokens() {
        for (String bad : new String[] {"", "a b", "a;b", "../x", "-x", "x".repeat(64), "$(reboot)"}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> NetworkConfig.checkName(bad));
            assertEquals("network name", e.field());
        }
        assertEquals("web-1.a_b", NetworkConfig.checkName("web-1.a_b"));
    }

    @Test
    void attachRequestsDefaultToEth0AndRefuseBadIds() {
        AttachRequest r = new AttachRequest("web", "red", NetnsRef.named("red"), null, null, null, null);
        assertEquals("eth0", r.ifName().value());
        assertEquals(List.of(), r.ports());
        assertThrows(InvalidInputException.class, () -> new AttachRequest("web", "a b", NetnsRef.named("red"), null, null, null, null));
        assertThrows(InvalidInputException.class, () -> new AttachRequest("web", "red", null, null, null, null, null));
    }
}
