package dev.patchbay.plugin.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.FakeNetworkStack;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bridge driver's own CHECK, repair and read-back ({@link BridgeHealth}), over the fake kernel. */
class BridgeHealthTest {
    private final FakeNetworkStack stack = new FakeNetworkStack();
    private final FakeNetworkStack.Netns hostState = stack.netns("host");
    private final NetnsHandle host = stack.open(NetnsRef.named("host"));
    private final BridgePlugin plugin = new BridgePlugin();

    BridgeHealthTest() {
        plugin.stack = stack;
        stack.netns("red");
    }

    private NetworkContext ctx(NetworkConfig config) {
        return new NetworkContext(host, stack, config, plugin.hostInterface(config));
    }

    private Attachment plugIn(NetworkContext ctx) {
        plugin.setUpNetwork(ctx);
        Attachment first = new Attachment("web", "red", null, new IfName("eth0"), null, null, List.of(IpPrefix.parse("10.88.0.2/24")), List.of());
        return plugin.setUp(ctx, new AttachRequest("web", "red", NetnsRef.named("red"), new IfName("eth0"), List.of(), null,
                List.of(PortMapping.parse("8080:80"))), first);
    }

    @Test
    void whatTheKernelLacksOfABridgeNetworkIsNamedAndPutBack() {
        NetworkContext ctx = ctx(BridgePluginTest.ipv4("web", Map.of()));
        Attachment red = plugIn(ctx);
        assertEquals(List.of(), plugin.checkNetwork(ctx));
        assertEquals(List.of(), plugin.check(ctx, red));

        host.links().setUp(LinkRef.name(new IfName("pb-web")), false);
        host.addresses().delete(LinkRef.name(new IfName("pb-web")), IpPrefix.parse("10.88.0.1/24"));
        hostState.putSysctl("net.ipv4.ip_forward", "0");
        assertEquals(List.of("bridge \"pb-web\" up", "gateway 10.88.0.1/24 on \"pb-web\"", "net.ipv4.ip_forward=1"), plugin.checkNetwork(ctx));

        host.links().delete(LinkRef.name(new IfName("pb-web")));
        assertEquals(List.of("bridge \"pb-web\""), plugin.checkNetwork(ctx));
        assertEquals(List.of("link \"" + red.hostIf() + "\" on \"pb-web\""), plugin.check(ctx, red), "its port is off the bridge");
        plugin.setUpNetwork(ctx);
        assertTrue(plugin.repair(ctx, red));
        assertEquals(List.of(), plugin.checkNetwork(ctx));
        assertEquals(List.of(), plugin.check(ctx, red));
        assertTrue(hostState.link(red.hostIf().value()).orElseThrow().up());

        host.links().delete(LinkRef.name(red.hostIf()));
        assertEquals(List.of(), plugin.check(ctx, red), "a link gone is the orchestrator's to see (it plugs the container in again)");
        assertTrue(!plugin.repair(ctx, red), "and not this repair's to make");
    }

    @Test
    void aNetworkWhoseGatewayIsNotOnTheBridgeLacksNone() {
        NetworkContext ctx = ctx(BridgePluginTest.ipv4("web", Map.of(BridgePlugin.GATEWAY_ON_BRIDGE, "false")));
        plugin.setUpNetwork(ctx);
        assertEquals(List.of(), plugin.checkNetwork(ctx));
    }

    @Test
    void theBridgeOfALostRecordIsReadFromItsRulesItsPortsOrItsDefaultName() {
        NetworkContext ctx = ctx(BridgePluginTest.ipv4("web", Map.of(BridgePlugin.BRIDGE, "br-web")));
        Attachment red = plugIn(ctx);
        List<Rule> rules = List.of(new Rule.BridgeForward(new IfName("br-x"), List.of(IpPrefix.parse("10.88.0.0/24"))));
        assertEquals(Map.of("bridge", "br-x"), plugin.recover(host, "web", rules, List.of(red)), "the rules first");
        assertEquals(Map.of("bridge", "br-web"), plugin.recover(host, "web", List.of(), List.of(red)), "the bridge its port is on");
        assertEquals(Map.of(), plugin.recover(host, "web", List.of(), List.of()), "no pb-web, nothing to tell");
        plugin.setUpNetwork(ctx(BridgePluginTest.ipv4("web", Map.of())));
        assertEquals(Map.of("bridge", "pb-web"), plugin.recover(host, "web", List.of(), List.of()), "the default name");
    }
}
