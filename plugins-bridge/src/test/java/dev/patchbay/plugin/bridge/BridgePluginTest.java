package dev.patchbay.plugin.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.FakeNetworkStack;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BridgePluginTest {
    private final FakeNetworkStack stack = new FakeNetworkStack();
    private final FakeNetworkStack.Netns hostState = stack.netns("host");
    private final FakeNetworkStack.Netns red = stack.netns("red");
    private final NetnsHandle host = stack.open(NetnsRef.named("host"));
    private final BridgePlugin plugin = new BridgePlugin();

    BridgePluginTest() {
        plugin.stack = stack;
    }

    static NetworkConfig ipv4(String name, Map<String, String> options) {
        return new NetworkConfig(name, "bridge", List.of("firewall", "portmap"), IpPrefix.parse("10.88.0.0/24"),
                IpAddresses.parse("gw", "10.88.0.1"), null, null, options);
    }

    static NetworkConfig dualStack(Map<String, String> options) {
        return new NetworkConfig("web", "bridge", List.of(), IpPrefix.parse("10.88.0.0/24"), IpAddresses.parse("gw", "10.88.0.1"),
                IpPrefix.parse("fd00:88::/64"), IpAddresses.parse("gw", "fd00:88::1"), options);
    }

    private NetworkContext ctx(NetworkConfig config) {
        return new NetworkContext(host, stack, config, plugin.hostInterface(config));
    }

    private static AttachRequest request(String id, List<PortMapping> ports) {
        return new AttachRequest("web", id, NetnsRef.named(id), null, List.of(), null, ports);
    }

    private static Attachment allocated(String id, String... addresses) {
        return new Attachment("web", id, null, new IfName("eth0"), null, null,
                java.util.Arrays.stream(addresses).map(IpPrefix::parse).toList(), List.of());
    }

    @Test
    void theBridgeIsMadeWithAMacOfItsNetworksOwnTheSameEveryTime() {
        plugin.setUpNetwork(ctx(ipv4("web", Map.of("bridge", "br0"))));
        plugin.setUpNetwork(ctx(ipv4("db", Map.of("bridge", "br1"))));
        dev.patchbay.core.model.MacAddress web = hostState.link("br0").orElseThrow().mac();
        assertEquals(BridgePlugin.stableMac("web"), web, "set when made: the kernel then never moves it to a port's");
        assertTrue(web.isLocalUnicast(), web.value());
        assertEquals(web, BridgePlugin.stableMac("web"), "a rebuild makes the same");
        assertFalse(web.equals(hostState.link("br1").orElseThrow().mac()), "another network, another MAC");
    }

    @Test
    void promiscPutsTheBridgeInPromiscuousMode() {
        plugin.setUpNetwork(ctx(ipv4("web", Map.of("bridge", "br0", "promisc", "true"))));
        plugin.setUpNetwork(ctx(ipv4("db", Map.of("bridge", "br1"))));
        assertTrue(hostState.promisc("br0"));
        assertFalse(hostState.promisc("br1"), "only where asked");
    }

    @Test
    void declaresItsOptionsDefaultsAndChain() {
        assertEquals(Set.of("bridge", "mtu", "hairpin", "promisc", "gateway-on-bridge", "routes", "dad"), plugin.options().keySet());
        assertEquals(Map.of("bridge", "pb-web"), plugin.defaults(ipv4("web", null)));
        assertEquals(Map.of("bridge", "pb-averyveryver"), plugin.defaults(ipv4("averyveryverylongname", null)));
        assertEquals(List.of("firewall", "portmap", "dns"), plugin.defaultChain());
        assertEquals(new IfName("br0"), plugin.hostInterface(ipv4("web", Map.of("bridge", "br0"))));
        assertEquals(new IfName("pb-web"), plugin.hostInterface(ipv4("web", null)));
    }

    @Test
    void validatePassesWithoutChangingAnything() {
        stack.clearCalls();
        plugin.validate(ctx(ipv4("web", Map.of("bridge", "br0", "mtu", "1400"))), List.of(ipv4("db", Map.of("bridge", "br1"))));
        assertEquals(List.of(), stack.calls());
    }

    @Test
    void validateRefusesLoopbackBadNamesAndBadMtu() {
        InvalidInputException lo = assertThrows(InvalidInputException.class,
                () -> plugin.validate(ctx(ipv4("web", Map.of("bridge", "lo"))), List.of()));
        assertEquals("invalid bridge \"lo\": is the loopback device", lo.getMessage());
        InvalidInputException longName = assertThrows(InvalidInputException.class,
                () -> plugin.validate(ctx(ipv4("web", Map.of("bridge", "a-very-long-bridge"))), List.of()));
        assertEquals("invalid bridge \"a-very-long-bridge\": is 18 bytes long, at most 15 are allowed", longName.getMessage());
        for (String mtu : List.of("67", "65536", "big")) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> plugin.validate(ctx(ipv4("web", Map.of("mtu", mtu))), List.of()));
            assertEquals("mtu", e.field());
            assertEquals(mtu, e.value());
            assertEquals("invalid mtu \"" + mtu + "\": must be a whole number in 68..65535", e.getMessage());
        }
    }

    @Test
    void validateRefusesAnotherNetworksBridge() {
        InvalidInputException named = assertThrows(InvalidInputException.class, () -> plugin.validate(
                ctx(ipv4("web", Map.of("bridge", "br0"))), List.of(ipv4("db", Map.of("bridge", "br0")))));
        assertEquals("invalid bridge \"br0\": is the bridge of network \"db\"", named.getMessage());
        InvalidInputException byDefault = assertThrows(InvalidInputException.class, () -> plugin.validate(
                ctx(ipv4("web", Map.of("bridge", "pb-db"))), List.of(ipv4("db", null))));
        assertEquals("bridge", byDefault.field());
    }

    @Test
    void validateRefusesALinkOfThatNameInTheHost() {
        host.links().add(LinkSpec.Other.of("br0", "dummy"));
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class,
                () -> plugin.validate(ctx(ipv4("web", Map.of("bridge", "br0"))), List.of()));
        assertEquals("failed to create network \"web\": a link named \"br0\" already exists in namespace \"host\"; choose another --bridge",
                e.getMessage());
    }

    @Test
    void setUpNetworkIsIdempotent() {
        NetworkContext ctx = ctx(dualStack(Map.of("bridge", "br0", "mtu", "1400")));
        plugin.setUpNetwork(ctx);
        String once = hostState.toString();
        plugin.setUpNetwork(ctx);
        assertEquals(once, hostState.toString());

        Link br = hostState.link("br0").orElseThrow();
        assertEquals("bridge", br.kind());
        assertEquals(1400, br.mtu());
        assertTrue(br.up());
        assertEquals(List.of(IpPrefix.parse("10.88.0.1/24"), IpPrefix.parse("fd00:88::1/64")), hostState.addresses("br0"));
        assertEquals("1", hostState.sysctl("net.ipv4.ip_forward").orElseThrow());
        assertEquals("1", hostState.sysctl("net.ipv6.conf.all.forwarding").orElseThrow());
        assertEquals("0", hostState.sysctl("net.ipv6.conf.br0.accept_dad").orElseThrow());
        assertEquals("1", hostState.sysctl("net.ipv4.conf.br0.route_localnet").orElseThrow());
    }

    @Test
    void setUpNetworkOfADottedName() {
        NetworkContext ctx = ctx(dualStack(Map.of("bridge", "pb-my.net")));
        plugin.setUpNetwork(ctx);
        assertEquals("1", hostState.sysctl("net/ipv4/conf/pb-my.net/route_localnet").orElseThrow());
        assertEquals("0", hostState.sysctl("net/ipv6/conf/pb-my.net/accept_dad").orElseThrow());
    }

    @Test
    void setUpNetworkWithoutGatewayPutsNoAddress() {
        NetworkConfig config = new NetworkConfig("web", "bridge", List.of(), IpPrefix.parse("10.88.0.0/24"), null, null, null, null);
        plugin.setUpNetwork(ctx(config));
        assertEquals(List.of(), hostState.addresses("pb-web"));
        assertEquals("0", hostState.sysctl("net.ipv6.conf.all.forwarding").orElseThrow());
    }

    @Test
    void setUpNetworkRefusesAnotherKindOfLink() {
        host.links().add(LinkSpec.Other.of("br0", "dummy"));
        assertThrows(AlreadyExistsException.class, () -> plugin.setUpNetwork(ctx(ipv4("web", Map.of("bridge", "br0")))));
    }

    @Test
    void setUpPlugsTheContainerIn() {
        NetworkContext ctx = ctx(dualStack(Map.of("bridge", "br0", "mtu", "1400")));
        plugin.setUpNetwork(ctx);
        AttachRequest req = new AttachRequest("web", "red", NetnsRef.named("red"), null, List.of(), new MacAddress("02:42:0a:58:00:02"),
                List.of(PortMapping.parse("8080:80/tcp")));
        Attachment a = plugin.setUp(ctx, req, allocated("red", "10.88.0.2/24", "fd00:88::2/64"));

        assertEquals("veth0a480d82", BridgePlugin.hostLinkName("web", "red")); // the formula existing records rely on
        assertEquals(new Attachment("web", "red", "/run/netns/red", new IfName("eth0"), new IfName("veth0a480d82"),
                new MacAddress("02:42:0a:58:00:02"), List.of(IpPrefix.parse("10.88.0.2/24"), IpPrefix.parse("fd00:88::2/64")),
                req.ports()), a);
        Link hostIf = hostState.link("veth0a480d82").orElseThrow();
        assertEquals(hostState.link("br0").orElseThrow().index(), hostIf.masterIndex());
        assertTrue(hostIf.up() && hostIf.lowerUp());
        assertEquals(1400, hostIf.mtu());
        assertTrue(hostState.hairpin("veth0a480d82"));

        Link eth0 = red.link("eth0").orElseThrow();
        assertEquals(hostIf.index(), eth0.peerIndex());
        assertEquals(a.mac(), eth0.mac());
        assertTrue(red.link("lo").orElseThrow().up());
        assertEquals(a.addresses(), red.addresses("eth0"));
        assertEquals("0", red.sysctl("net.ipv6.conf.eth0.disable_ipv6").orElseThrow());
        assertEquals("0", red.sysctl("net/ipv6/conf/eth0/accept_dad").orElseThrow(), "no duplicate address detection (dad's default)");
        assertEquals(List.of(Route.defaultVia(IpAddresses.parse("gw", "10.88.0.1")), Route.defaultVia(IpAddresses.parse("gw", "fd00:88::1")))
                        .stream().map(r -> new Route(r.destination(), r.gateway(), new IfName("eth0"), null, null, null, null)).toList(),
                red.routes());
        assertEquals(1, stack.openHandles(), "the container's handle is closed; the host's stays open");
    }

    @Test
    void setUpOnIpv4WithoutPortsOrGateway() {
        NetworkConfig config = new NetworkConfig("web", "bridge", List.of(), IpPrefix.parse("10.88.0.0/24"), null, null, null, null);
        plugin.setUpNetwork(ctx(config));
        Attachment a = plugin.setUp(ctx(config), request("red", List.of()), allocated("red", "10.88.0.2/24"));
        assertFalse(hostState.hairpin(a.hostIf().value()));
        assertEquals("1", red.sysctl("net/ipv6/conf/eth0/disable_ipv6").orElseThrow());
        assertEquals(List.of(), red.routes());
        assertEquals(List.of(IpPrefix.parse("10.88.0.2/24")), red.addresses("eth0"));
    }

    @Test
    void setUpKeepsGoingOnAKernelWithoutIpv6() {
        NetworkContext ctx = ctx(ipv4("web", null));
        plugin.setUpNetwork(ctx);
        stack.failOn("sysctl.set", 1, new dev.patchbay.core.errors.NotFoundException("sysctl not found"));
        Attachment a = plugin.setUp(ctx, request("red", List.of()), allocated("red", "10.88.0.2/24"));
        assertEquals(new IfName("eth0"), a.ifName());
        assertEquals(1, red.routes().size());
    }

    /** What a CNI bridge configuration sets: isGateway false, hairpinMode, ipam routes (or none). */
    @Test
    void gatewayOffTheBridgeHairpinAndTheRoutesOption() {
        NetworkContext ctx = ctx(ipv4("web", Map.of("gateway-on-bridge", "false", "hairpin", "true",
                "routes", "192.168.0.0/16 via 10.88.0.254, 0.0.0.0/0,10.9.0.0/16")));
        plugin.validate(ctx, List.of());
        plugin.setUpNetwork(ctx);
        assertEquals(List.of(), hostState.addresses("pb-web"), "the gateway is a router elsewhere on the segment");
        Attachment a = plugin.setUp(ctx, request("red", List.of()), allocated("red", "10.88.0.2/24"));
        assertTrue(hostState.hairpin(a.hostIf().value()), "hairpin without published ports");
        List<String> routes = red.routes().stream().map(r -> r.destination() + " via " + (r.gateway() == null ? "-" : IpAddresses.format(r.gateway()))).toList();
        assertEquals(Set.of("192.168.0.0/16 via 10.88.0.254", "0.0.0.0/0 via 10.88.0.1", "10.9.0.0/16 via 10.88.0.1"), Set.copyOf(routes));
    }

    @Test
    void routesNoneGivesTheContainerNoRouteAndABadRouteIsRefused() {
        NetworkContext ctx = ctx(dualStack(Map.of("routes", "none")));
        plugin.setUpNetwork(ctx);
        plugin.setUp(ctx, request("red", List.of()), allocated("red", "10.88.0.2/24", "fd00:88::2/64"));
        assertEquals(List.of(), red.routes());
        for (String bad : List.of("10.0.0.0/8 via fd00::1", "somewhere", "0.0.0.0/0 via 10.88.0.1 via 10.88.0.2")) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> plugin.validate(ctx(ipv4("web", Map.of("routes", bad))), List.of()));
            assertEquals("routes", e.field());
        }
        assertEquals("promisc", assertThrows(InvalidInputException.class,
                () -> plugin.validate(ctx(ipv4("web", Map.of("promisc", "true", "hairpin", "true"))), List.of())).field());
    }

    @Test
    void tearDownOfACrashStubDeletesTheComputedLink() {
        NetworkContext ctx = ctx(ipv4("web", null));
        plugin.setUpNetwork(ctx);
        plugin.setUp(ctx, request("red", List.of()), allocated("red", "10.88.0.2/24"));
        Attachment stub = new Attachment("web", "red", "", new IfName("eth0"), null, null, List.of(), List.of());
        assertNull(stub.hostIf());

        ErrorCollector errors = new ErrorCollector();
        plugin.tearDown(ctx, stub, errors);
        assertTrue(errors.isEmpty());
        assertTrue(hostState.link("veth0a480d82").isEmpty());
        assertTrue(red.link("eth0").isEmpty(), "deleting the host end deletes the peer");
        assertTrue(stack.calls().contains("host links.delete veth0a480d82"), stack.calls().toString());

        plugin.tearDown(ctx, stub, errors); // already gone: done
        assertTrue(errors.isEmpty());
    }

    @Test
    void tearDownAfterTheContainerIsGoneFindsNothingToDo() {
        NetworkContext ctx = ctx(ipv4("web", null));
        plugin.setUpNetwork(ctx);
        Attachment a = plugin.setUp(ctx, request("red", List.of()), allocated("red", "10.88.0.2/24"));
        stack.namespaces().delete("red"); // the kernel takes the veth pair with the namespace
        assertTrue(hostState.link(a.hostIf().value()).isEmpty());
        ErrorCollector errors = new ErrorCollector();
        plugin.tearDown(ctx, a, errors);
        assertTrue(errors.isEmpty());
    }

    @Test
    void tearDownCollectsFailures() {
        NetworkContext ctx = ctx(ipv4("web", null));
        stack.failOn("links.delete", 1, new BackendException("EBUSY"));
        ErrorCollector errors = new ErrorCollector();
        plugin.tearDown(ctx, allocated("blue", "10.88.0.3/24"), errors);
        assertEquals(List.of("failed to delete link \"vethe0779f5b\": EBUSY"), errors.errors().stream().map(Throwable::getMessage).toList());
    }

    @Test
    void tearDownNetworkDeletesTheBridgeAndFindsNothingTheSecondTime() {
        NetworkContext ctx = ctx(ipv4("web", null));
        plugin.setUpNetwork(ctx);
        ErrorCollector errors = new ErrorCollector();
        plugin.tearDownNetwork(ctx, errors);
        assertTrue(hostState.link("pb-web").isEmpty());
        plugin.tearDownNetwork(ctx, errors);
        assertTrue(errors.isEmpty());
    }
}
