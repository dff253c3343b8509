package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.FakeNetworkStack;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A network's subnets against the host ({@link HostSubnets}): an address of a host link inside the subnet and a
 * connected route overlapping it are reported (and refuse a create, naming them), the network's own interface aside;
 * routes through a gateway, the default route among them, are the operator's and are not looked at.
 */
class HostSubnetsTest {
    final FakeNetworkStack stack = new FakeNetworkStack();
    NetnsHandle host;

    @BeforeEach
    void aHostWithAnUplink() {
        stack.netns("h");
        host = stack.open(NetnsRef.named("h"));
        host.links().add(LinkSpec.Other.of("uplink", "dummy"));
        host.links().setUp(LinkRef.name("uplink"), true);
        host.addresses().add(LinkRef.name("uplink"), IpPrefix.parse("192.168.5.10/24"));
        host.routes().add(Route.defaultVia(IpAddresses.parse("gw", "192.168.5.1")));
        host.routes().add(new Route(IpPrefix.parse("10.50.0.0/16"), IpAddresses.parse("gw", "192.168.5.1"), null, null, null, null, null));
    }

    @AfterEach
    void close() {
        host.close();
    }

    private static NetworkConfig network(String subnet, String subnet6) {
        IpPrefix p = IpPrefix.parse(subnet);
        return new NetworkConfig("n", "bridge", null, p, null, subnet6 == null ? null : IpPrefix.parse(subnet6), null, Map.of());
    }

    private List<String> overlaps(NetworkConfig c, String own) {
        return HostSubnets.overlaps(host, c, own == null ? null : new IfName(own)).stream().map(HostSubnets.Overlap::toString).toList();
    }

    @Test
    void anAddressOfAHostLinkInsideTheSubnetOverlaps() {
        assertEquals(List.of("192.168.0.0/16 overlaps address 192.168.5.10/24 of uplink"), overlaps(network("192.168.0.0/16", null), null));
        assertEquals(List.of(), overlaps(network("192.168.6.0/24", null), null));
    }

    @Test
    void aConnectedRouteOverlapsARouteViaAGatewayDoesNot() {
        host.routes().add(Route.onLink(IpPrefix.parse("172.20.0.0/16"), new IfName("uplink")));
        assertEquals(List.of("172.20.9.0/24 overlaps the route to 172.20.0.0/16 on uplink"), overlaps(network("172.20.9.0/24", null), null));
        assertEquals(List.of(), overlaps(network("10.50.1.0/24", null), null), "reached through a gateway: the operator's to shadow");
        assertEquals(List.of(), overlaps(network("10.9.0.0/24", null), null), "the default route overlaps everything and counts for nothing");
    }

    @Test
    void theNetworksOwnInterfaceIsAside() {
        host.links().add(new LinkSpec.Bridge(new IfName("pb-n"), null, null));
        host.links().setUp(LinkRef.name("pb-n"), true);
        host.addresses().add(LinkRef.name("pb-n"), IpPrefix.parse("10.9.0.1/24"));
        host.routes().replace(Route.onLink(IpPrefix.parse("10.9.0.0/24"), new IfName("pb-n")));
        assertEquals(List.of(), overlaps(network("10.9.0.0/24", null), "pb-n"), "doctor looks at a network that exists");
        assertEquals(2, overlaps(network("10.9.0.0/24", null), null).size(), "a new network on it would take both");
    }

    @Test
    void bothFamiliesAreLookedAt() {
        host.addresses().add(LinkRef.name("uplink"), IpPrefix.parse("fd00:5::10/64"));
        assertEquals(List.of("fd00:5::/48 overlaps address fd00:5::10/64 of uplink"),
                overlaps(network("10.9.0.0/24", "fd00:5::/48"), null).stream().filter(o -> o.startsWith("fd00")).toList());
    }

    @Test
    void aCreateIsRefusedNamingTheSubnetWhatItOverlapsAndWhere() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> HostSubnets.check(host, "namespace \"h\"", network("192.168.5.0/24", null)));
        assertEquals("subnet", e.field());
        assertTrue(e.getMessage().contains("overlaps address 192.168.5.10/24 of uplink in namespace \"h\""), e.getMessage());
        HostSubnets.check(host, "namespace \"h\"", network("10.9.0.0/24", null));
    }
}
