package dev.patchbay.plugin.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.FakeNetworkStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node's devices and a pod's plumbing on the fake stack; the lease and the peers need etcd (EtcdClientIT, OverlayIT). */
class OverlayDriverTest {
    private final FakeNetworkStack stack = new FakeNetworkStack();
    private final FakeNetworkStack.Netns node = stack.netns("node");
    private final NetnsHandle host = stack.open(NetnsRef.named("node"));
    private final OverlayDriver driver = new OverlayDriver(); // its stack unset: a context on another keeps no lease

    OverlayDriverTest() {
        stack.netns("pod");
        host.links().add(new LinkSpec.Veth(IfName.of("up0"), IfName.of("up0p"), null, 1500, null, null));
        host.addresses().add(LinkRef.name("up0"), IpPrefix.parse("192.168.9.1/24"));
        host.links().setUp(LinkRef.name("up0"), true);
    }

    private NetworkContext ctx(Map<String, String> more) {
        NetworkConfig c = OverlayOptionsTest.config(Map.of("underlay", "up0", "node-subnet", "10.244.3.0/24", "vni", "7"));
        c = c.withDefaults(more);
        return new NetworkContext(host, stack, c, driver.hostInterface(c));
    }

    @Test
    void theNodeGetsAVxlanDeviceOnItsUnderlayAndABridgeWithItsSubnetsFirstHost() {
        NetworkContext ctx = ctx(Map.of());
        driver.validate(ctx, List.of());
        driver.setUpNetwork(ctx);
        driver.setUpNetwork(ctx); // idempotent: a repair
        assertEquals("vxlan", node.link("pbx-ov").orElseThrow().kind());
        assertEquals(1450, node.link("pbx-ov").orElseThrow().mtu(), "the underlay's MTU less 50");
        assertEquals(List.of(new LinkSpec.Attr(1, LinkSpec.Attr.As.U32, 7L),
                new LinkSpec.Attr(4, LinkSpec.Attr.As.ADDRESS, IpAddresses.parse("u", "192.168.9.1")),
                new LinkSpec.Attr(7, LinkSpec.Attr.As.U8, 0L), new LinkSpec.Attr(15, LinkSpec.Attr.As.BE16, 4789L)), node.infoData("pbx-ov"));
        assertEquals(List.of(IpPrefix.parse("10.244.3.0/16")), host.addresses().list(LinkRef.name("pbx-ov"), Family.INET));
        assertEquals(List.of(IpPrefix.parse("10.244.3.1/24")), host.addresses().list(LinkRef.name("pbo-ov"), Family.INET));
        assertEquals(OverlayDriver.vtepMac("ov", "n1"), node.link("pbx-ov").orElseThrow().mac(), "the same VTEP MAC after a restart");
        assertTrue(driver.checkNetwork(ctx).contains("etcd lease kept by this process"));
        List<Rule> rules = new ArrayList<>();
        driver.networkRules(ctx, rules);
        assertEquals(List.of(new Rule.BridgeForward(IfName.of("pbo-ov"), List.of(IpPrefix.parse("10.244.3.0/24"))),
                new Rule.Masquerade(IpPrefix.parse("10.244.0.0/16"), null)), rules, "no masquerade inside the cluster's subnet");
        assertThrows(dev.patchbay.core.errors.AlreadyExistsException.class, () -> driver.validate(ctx(Map.of()), List.of()), "its links exist");
    }

    @Test
    void aPodGetsItsAddressAtTheNodeSubnetsLengthAndTheBridgeAsItsDefaultRoute() {
        NetworkContext ctx = ctx(Map.of());
        driver.setUpNetwork(ctx);
        AttachRequest req = new AttachRequest("ov", "pod", NetnsRef.named("pod"), null, List.of(), null, List.of());
        Attachment a = driver.setUp(ctx, req, new Attachment("ov", "pod", null, IfName.of("eth0"), null, null,
                List.of(IpPrefix.parse("10.244.3.2/16")), List.of()));
        assertEquals(List.of(IpPrefix.parse("10.244.3.2/24")), a.addresses());
        try (NetnsHandle pod = stack.open(NetnsRef.named("pod"))) {
            assertEquals(1450, pod.links().get(LinkRef.name("eth0")).mtu());
            assertTrue(pod.routes().list(Family.INET, null).stream().anyMatch(r -> r.isDefault()
                    && r.gateway().equals(IpAddresses.parse("gw", "10.244.3.1"))), pod.routes().list(Family.INET, null).toString());
        }
        ErrorCollector errors = new ErrorCollector();
        driver.tearDown(ctx, a, errors);
        assertTrue(host.links().find(LinkRef.name(a.hostIf())).isEmpty());
    }

    @Test
    void anUnderlayWithoutAnAddressOrAbsentIsRefusedByName() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> driver.validate(
                new NetworkContext(host, stack, OverlayOptionsTest.config(Map.of("underlay", "nosuch0")), null), List.of()));
        assertTrue(e.getMessage().contains("nosuch0"), e.getMessage());
    }
}
