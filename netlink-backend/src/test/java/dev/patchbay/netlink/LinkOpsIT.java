package dev.patchbay.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Link operations in a throwaway namespace, each checked against {@code ip -j -d link}. */
@NetnsTest
class LinkOpsIT {
    final NetlinkNetworkStack stack = new NetlinkNetworkStack();

    @Test
    void listMatchesIp(Sandbox sandbox) {
        String ns = sandbox.netns("list");
        sandbox.run("ip", "-n", ns, "link", "add", "br7", "type", "bridge");
        sandbox.run("ip", "-n", ns, "link", "add", "a7", "type", "veth", "peer", "name", "b7");
        sandbox.run("ip", "-n", ns, "link", "set", "a7", "master", "br7");
        try (NetnsHandle h = stack.open(NetnsRef.named(ns))) {
            List<Link> links = h.links().list();
            List<JsonObject> ip = IpJson.ip(sandbox, ns, "-d", "link", "show");
            assertEquals(ip.size(), links.size());
            for (JsonObject o : ip) {
                Link l = links.stream().filter(x -> x.index() == o.get("ifindex").getAsInt()).findFirst().orElseThrow();
                assertEquals(IpJson.str(o, "ifname"), l.name().value());
                assertEquals(o.get("mtu").getAsInt(), l.mtu());
                assertEquals(IpJson.str(o, "address"), l.mac().value());
                String kind = o.has("linkinfo") ? IpJson.str(o.getAsJsonObject("linkinfo"), "info_kind") : null;
                assertEquals(kind, l.kind());
            }
            Link a7 = h.links().get(LinkRef.name("a7"));
            assertEquals(h.links().get(LinkRef.name("br7")).index(), a7.masterIndex());
            assertEquals(h.links().get(LinkRef.name("b7")).index(), a7.peerIndex());
            assertEquals(a7, h.links().get(LinkRef.index(a7.index())));
        }
    }

    /** A macvlan made directly in another namespace (a container's eth0), on a parent of this one. */
    @Test
    void macvlanInAnotherNamespace(Sandbox sandbox) {
        String host = sandbox.netns("mvhost");
        String ctr = sandbox.netns("mvctr");
        sandbox.run("ip", "-n", host, "link", "add", "up0", "type", "veth", "peer", "name", "up0p");
        try (NetnsHandle h = stack.open(NetnsRef.named(host))) {
            Link eth0 = h.links().add(new LinkSpec.Other(IfName.of("eth0"), "macvlan", LinkRef.name("up0"), NetnsRef.named(ctr),
                    1400, MacAddress.parse("02:00:00:00:03:03"), List.of(new LinkSpec.Attr(1, LinkSpec.Attr.As.U32, 1L))));
            assertEquals("eth0", eth0.name().value());
            assertEquals("macvlan", eth0.kind());
            JsonObject ip = IpJson.link(sandbox, ctr, "eth0");
            JsonObject info = ip.getAsJsonObject("linkinfo");
            assertEquals("macvlan", IpJson.str(info, "info_kind"));
            assertEquals("private", IpJson.str(info.getAsJsonObject("info_data"), "mode"));
            assertEquals(1400, ip.get("mtu").getAsInt());
            assertEquals("02:00:00:00:03:03", IpJson.str(ip, "address"));
            Link here = h.links().add(new LinkSpec.Other(IfName.of("mv1"), "macvlan", LinkRef.name("up0"), null, null, null, null));
            assertEquals(h.links().get(LinkRef.name("up0")).index(), here.peerIndex(), "IFLA_LINK: the parent");
            assertThrows(AlreadyExistsException.class, () -> h.links().add(
                    new LinkSpec.Other(IfName.of("eth0"), "macvlan", LinkRef.name("up0"), NetnsRef.named(ctr), null, null, null)));
            NotFoundException noParent = assertThrows(NotFoundException.class, () -> h.links().add(
                    new LinkSpec.Other(IfName.of("eth1"), "macvlan", LinkRef.name("nosuch"), NetnsRef.named(ctr), null, null, null)));
            assertTrue(noParent.getMessage().contains("parent link \"nosuch\""), noParent.getMessage());
        }
    }

    @Test
    void changesShowInIp(Sandbox sandbox) {
        String ns = sandbox.netns("change");
        String other = sandbox.netns("other");
        try (NetnsHandle h = stack.open(NetnsRef.named(ns))) {
            h.links().add(LinkSpec.Bridge.named("br0"));
            Link v = h.links().add(new LinkSpec.Veth(IfName.of("v0"), IfName.of("v0p"), null, 1400, MacAddress.parse("02:00:00:00:01:01"), null));
            assertEquals(1400, v.mtu());
            assertEquals("02:00:00:00:01:01", v.mac().value());
            assertEquals("veth", v.kind());
            h.links().setMaster(LinkRef.name("v0"), LinkRef.name("br0"));
            h.links().setBridgePort(LinkRef.name("v0"), true, true);
            JsonObject slave = IpJson.link(sandbox, ns, "v0").getAsJsonObject("linkinfo").getAsJsonObject("info_slave_data");
            assertTrue(slave.get("hairpin").getAsBoolean());
            assertTrue(slave.get("isolated").getAsBoolean());
            h.links().setBridgePort(LinkRef.name("v0"), false, null);
            slave = IpJson.link(sandbox, ns, "v0").getAsJsonObject("linkinfo").getAsJsonObject("info_slave_data");
            assertFalse(slave.get("hairpin").getAsBoolean());
            assertTrue(slave.get("isolated").getAsBoolean());
            h.links().setMaster(LinkRef.name("v0"), null);
            assertNull(IpJson.str(IpJson.link(sandbox, ns, "v0"), "master"));
            h.links().setMtu(LinkRef.name("v0"), 1300);
            h.links().setMac(LinkRef.name("v0"), MacAddress.parse("02:00:00:00:02:02"));
            h.links().setUp(LinkRef.name("v0"), true);
            h.links().rename(LinkRef.name("v0"), IfName.of("v1"));
            JsonObject v1 = IpJson.link(sandbox, ns, "v1");
            assertEquals(1300, v1.get("mtu").getAsInt());
            assertEquals("02:00:00:00:02:02", IpJson.str(v1, "address"));
            assertTrue(v1.get("flags").toString().contains("\"UP\""));
            h.links().moveTo(LinkRef.name("v1"), NetnsRef.named(other));
            assertTrue(h.links().find(LinkRef.name("v1")).isEmpty());
            assertEquals("veth", IpJson.str(IpJson.link(sandbox, other, "v1").getAsJsonObject("linkinfo"), "info_kind"));
            assertEquals(1, IpJson.ip(sandbox, other, "link", "show", "v1").size());
            h.links().delete(LinkRef.name("v0p"));
            assertTrue(IpJson.ip(sandbox, other, "link", "show").stream().noneMatch(o -> "v1".equals(IpJson.str(o, "ifname"))));
        }
    }

    @Test
    void errorsNameTheObjectAndNamespace(Sandbox sandbox) {
        String ns = sandbox.netns("red");
        try (NetnsHandle h = stack.open(NetnsRef.named(ns))) {
            NotFoundException nf = assertThrows(NotFoundException.class, () -> h.links().setUp(LinkRef.name("veth9"), true));
            assertEquals("link \"veth9\" not found in namespace \"" + ns + "\"", nf.getMessage());
            assertThrows(NotFoundException.class, () -> h.links().delete(LinkRef.name("veth9")));
            assertThrows(NotFoundException.class, () -> h.links().setMaster(LinkRef.name("lo"), LinkRef.name("nobr")));
            h.links().add(LinkSpec.Bridge.named("br0"));
            AlreadyExistsException ae = assertThrows(AlreadyExistsException.class, () -> h.links().add(LinkSpec.Bridge.named("br0")));
            assertTrue(ae.getMessage().contains("\"br0\""), ae.getMessage());
            assertEquals("bridge", h.links().ensure(LinkSpec.Bridge.named("br0")).kind());
            assertThrows(AlreadyExistsException.class, () -> h.links().ensure(LinkSpec.Veth.pair("br0", "x0")));
        }
        assertThrows(NotFoundException.class, () -> stack.open(NetnsRef.named("no-such-ns-" + ns)));
    }

    @Test
    void batchedAddIsAllOrNothing(Sandbox sandbox) {
        String ns = sandbox.netns("batch");
        String peers = sandbox.netns("peers");
        try (NetnsHandle h = stack.open(NetnsRef.named(ns))) {
            List<LinkSpec> specs = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                specs.add(new LinkSpec.Veth(IfName.of("b" + i), IfName.of("p" + i), NetnsRef.named(peers), null, null, null));
            }
            h.links().addAll(specs);
            assertEquals(301, IpJson.ip(sandbox, ns, "link", "show").size());
            assertEquals(301, IpJson.ip(sandbox, peers, "link", "show").size());
            List<LinkRef> refs = new ArrayList<>();
            specs.forEach(s -> refs.add(LinkRef.name(s.name())));
            h.links().deleteAll(refs);
            assertEquals(1, IpJson.ip(sandbox, ns, "link", "show").size());
            sandbox.run("ip", "-n", ns, "link", "add", "b5", "type", "bridge");
            assertThrows(AlreadyExistsException.class, () -> h.links().addAll(specs.subList(0, 10)));
            assertEquals(2, IpJson.ip(sandbox, ns, "link", "show").size(), "the nine created before the clash were undone");
        }
    }
}
