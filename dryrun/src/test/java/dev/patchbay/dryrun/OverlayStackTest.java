package dev.patchbay.dryrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.FakeNetworkStack;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A dry run's stack: reads the real one, records changes as commands, answers later reads from them, changes nothing. */
class OverlayStackTest {
    private final FakeNetworkStack real = new FakeNetworkStack();
    private final ShellScript script = new ShellScript();
    private final OverlayStack overlay = new OverlayStack(real, script);

    OverlayStackTest() {
        real.netns("host");
        real.netns("red");
        real.clearCalls();
    }

    @Test
    void changesBecomeCommandsAndLaterReadsSeeThem() {
        NetnsHandle host = overlay.open(NetnsRef.named("host"));
        host.links().ensure(LinkSpec.Bridge.named("br0"));
        host.addresses().ensure(LinkRef.name("br0"), IpPrefix.parse("10.0.0.1/24"));
        host.links().setUp(LinkRef.name("br0"), true);
        host.links().add(new LinkSpec.Veth(new dev.patchbay.core.model.IfName("v0"), new dev.patchbay.core.model.IfName("eth0"),
                NetnsRef.named("red"), null, null, null));
        host.links().setMaster(LinkRef.name("v0"), LinkRef.name("br0"));
        host.sysctl().ensure("net.ipv4.ip_forward", "1");
        NetnsHandle red = overlay.open(NetnsRef.named("red"));
        red.addresses().add(LinkRef.name("eth0"), IpPrefix.parse("10.0.0.2/24"));
        red.routes().add(Route.defaultVia(dev.patchbay.core.model.IpAddresses.parse("gw", "10.0.0.1")));

        assertEquals(List.of(
                "ip -n host link add br0 type bridge",
                "ip -n host addr add 10.0.0.1/24 dev br0",
                "ip -n host link set dev br0 up",
                "ip -n host link add v0 type veth peer name eth0 netns red",
                "ip -n host link set dev v0 master br0",
                "ip netns exec host sysctl -q -w net.ipv4.ip_forward=1",
                "ip -n red addr add 10.0.0.2/24 dev eth0",
                "ip -n red route add default via 10.0.0.1"), script.lines());
        assertTrue(host.links().get(LinkRef.name("br0")).up());
        assertEquals(host.links().get(LinkRef.name("br0")).index(), host.links().get(LinkRef.name("v0")).masterIndex());
        assertEquals(List.of(IpPrefix.parse("10.0.0.2/24")), red.addresses().list(LinkRef.name("eth0"), null));
        assertThrows(AlreadyExistsException.class, () -> host.links().add(LinkSpec.Bridge.named("br0")));
        assertEquals(List.of(), real.calls(), "the real stack was not changed");
    }

    @Test
    void deletingOneEndOfAVethDeletesItsPeer() {
        NetnsHandle host = overlay.open(NetnsRef.named("host"));
        host.links().add(new LinkSpec.Veth(new dev.patchbay.core.model.IfName("v0"), new dev.patchbay.core.model.IfName("eth0"),
                NetnsRef.named("red"), null, null, null));
        host.links().delete(LinkRef.name("v0"));
        assertFalse(overlay.open(NetnsRef.named("red")).links().find(LinkRef.name("eth0")).isPresent());
        assertEquals("ip -n host link del dev v0", script.lines().get(1));
    }

    @Test
    void aNamespaceTheRunMakesExistsOnlyInTheOverlay() {
        overlay.namespaces().create("blue");
        assertTrue(overlay.namespaces().exists(NetnsRef.named("blue")));
        assertTrue(overlay.namespaces().list().contains("blue"));
        assertFalse(real.namespaces().exists(NetnsRef.named("blue")));
        NetnsHandle blue = overlay.open(NetnsRef.named("blue"));
        assertEquals(List.of("lo"), blue.links().list().stream().map(l -> l.name().value()).toList());
        assertEquals("ip netns add blue", script.lines().get(0));
    }

    @Test
    void wordsSheWouldSplitOrExpandAreQuoted() {
        assertEquals("plain-word_1.2/3:4", ShellScript.quote("plain-word_1.2/3:4"));
        assertEquals("'a b'", ShellScript.quote("a b"));
        assertEquals("'it'\\''s $x'", ShellScript.quote("it's $x"));
        script.ip(NetnsRef.path(java.nio.file.Path.of("/proc/42/ns/net")), List.of("link", "set", "dev", "eth0", "up"));
        assertEquals("nsenter --net=/proc/42/ns/net ip link set dev eth0 up", script.lines().get(0));
    }

    @Test
    void aLinkOfAKindCoreDoesNotNameIsMadeOnItsParentInItsNamespace() {
        NetnsHandle host = overlay.open(NetnsRef.named("host"));
        host.links().add(LinkSpec.Bridge.named("up0"));
        LinkSpec.Other vx = new LinkSpec.Other(new dev.patchbay.core.model.IfName("vx0"), "vxlan", LinkRef.name("up0"),
                NetnsRef.named("red"), 1450, null, List.of(new LinkSpec.Attr(1, LinkSpec.Attr.As.U32, 42L)));
        host.links().add(vx);
        assertEquals("vxlan", overlay.open(NetnsRef.named("red")).links().find(LinkRef.name("vx0")).orElseThrow().kind());
        assertFalse(host.links().find(LinkRef.name("vx0")).isPresent());
        assertEquals("# the vxlan link vx0 also carries IFLA_INFO_DATA [1=42] (attribute numbers of the kind's enum)", script.lines().get(1));
        assertEquals("ip -n host link add link up0 vx0 mtu 1450 netns red type vxlan", script.lines().get(2));
    }

    @Test
    void aRateLimitBecomesTcCommandsAndReadsBack() {
        NetnsHandle host = overlay.open(NetnsRef.named("host"));
        host.links().add(LinkSpec.Bridge.named("br0"));
        dev.patchbay.core.model.Qdisc.TokenBucket bucket = new dev.patchbay.core.model.Qdisc.TokenBucket(1_250_000, 32_768, 100_000);
        assertTrue(host.qdiscs().root(LinkRef.name("br0")).isEmpty());
        host.qdiscs().setRoot(LinkRef.name("br0"), bucket);
        assertEquals(bucket, host.qdiscs().root(LinkRef.name("br0")).orElseThrow().tokenBucket());
        assertTrue(host.qdiscs().deleteRoot(LinkRef.name("br0")));
        assertFalse(host.qdiscs().deleteRoot(LinkRef.name("br0")), "already the kernel's default");
        assertEquals(List.of(
                "ip -n host link add br0 type bridge",
                "ip netns exec host tc qdisc replace dev br0 root tbf rate 10000000bit burst 32768 limit 100000",
                "ip netns exec host tc qdisc del dev br0 root"), script.lines());
        assertEquals(List.of(), real.calls(), "the real stack was not changed");
    }

    @Test
    void anIngressRedirectBecomesTcCommandsAndReadsBack() {
        NetnsHandle host = overlay.open(NetnsRef.named("host"));
        host.links().add(LinkSpec.Veth.pair("vh0", "vc0"));
        host.links().add(LinkSpec.Other.of("ifb0", "ifb"));
        assertTrue(host.qdiscs().ingressRedirect(LinkRef.name("vh0")).isEmpty());
        host.qdiscs().redirectIngress(LinkRef.name("vh0"), LinkRef.name("ifb0"));
        assertEquals(java.util.Optional.of(LinkRef.name("ifb0")), host.qdiscs().ingressRedirect(LinkRef.name("vh0")));
        assertTrue(host.qdiscs().deleteIngress(LinkRef.name("vh0")));
        assertFalse(host.qdiscs().deleteIngress(LinkRef.name("vh0")), "none left");
        assertEquals(List.of(
                "ip netns exec host tc qdisc add dev vh0 ingress",
                "ip netns exec host tc filter add dev vh0 parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev ifb0",
                "ip netns exec host tc qdisc del dev vh0 ingress"), script.lines().subList(2, 5));
        assertEquals(List.of(), real.calls(), "the real stack was not changed");
    }
}
