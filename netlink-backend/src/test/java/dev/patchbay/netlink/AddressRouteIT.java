package dev.patchbay.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.Neighbour;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PolicyRule;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Addresses, routes, rules and neighbours, v4 and v6, checked against {@code ip -j}. */
@NetnsTest
class AddressRouteIT {
    final NetlinkNetworkStack stack = new NetlinkNetworkStack();

    @Test
    void addresses(Sandbox sandbox) {
        String ns = sandbox.netns("addr");
        try (NetnsHandle h = stack.open(NetnsRef.named(ns))) {
            h.links().add(LinkSpec.Bridge.named("br0"));
            LinkRef br = LinkRef.name("br0");
            IpPrefix v4 = IpPrefix.parse("10.20.0.1/24");
            IpPrefix v6 = IpPrefix.parse("fd20::1/64");
            h.addresses().add(br, v4);
            h.addresses().add(br, v6);
            assertThrows(AlreadyExistsException.class, () -> h.addresses().add(br, v4));
            h.addresses().replace(br, v4);
            assertFalse(h.addresses().ensure(br, v4));
            assertTrue(h.addresses().ensure(br, IpPrefix.parse("10.20.1.1/24")));
            List<JsonObject> info = IpJson.ip(sandbox, ns, "addr", "show", "dev", "br0").get(0).getAsJsonArray("addr_info")
                    .asList().stream().map(e -> e.getAsJsonObject()).toList();
            assertTrue(info.stream().anyMatch(o -> "10.20.0.1".equals(IpJson.str(o, "local")) && o.get("prefixlen").getAsInt() == 24));
            assertTrue(info.stream().anyMatch(o -> "fd20::1".equals(IpJson.str(o, "local")) && o.get("prefixlen").getAsInt() == 64));
            assertEquals(List.of(v4, IpPrefix.parse("10.20.1.1/24")), h.addresses().list(br, Family.INET));
            assertTrue(h.addresses().list(br, Family.INET6).contains(v6));
            h.addresses().delete(br, v6);
            assertFalse(h.addresses().list(br, null).contains(v6));
            assertThrows(NotFoundException.class, () -> h.addresses().delete(br, v6));
            NotFoundException nf = assertThrows(NotFoundException.class, () -> h.addresses().add(LinkRef.name("nope0"), v4));
            assertTrue(nf.getMessage().startsWith("link \"nope0\" not found"), nf.getMessage());
        }
    }

    @Test
    void routesRulesNeighbours(Sandbox sandbox) {
        String ns = sandbox.netns("route");
        try (NetnsHandle h = stack.open(NetnsRef.named(ns))) {
            h.links().add(LinkSpec.Veth.pair("r0", "r0p"));
            h.links().setUp(LinkRef.name("r0"), true);
            h.links().setUp(LinkRef.name("r0p"), true);
            h.addresses().add(LinkRef.name("r0"), IpPrefix.parse("10.30.0.1/24"));
            h.addresses().add(LinkRef.name("r0"), IpPrefix.parse("fd30::1/64"));
            Route viaGw = new Route(IpPrefix.parse("10.40.0.0/16"), IpAddresses.parse("gw", "10.30.0.254"), null, null, 50, null, null);
            Route inTable = new Route(IpPrefix.parse("10.50.0.0/16"), null, IfName.of("r0"), null, null, 100, null);
            Route v6 = new Route(IpPrefix.parse("fd40::/48"), IpAddresses.parse("gw", "fd30::fe"), null, null, null, null, null);
            h.routes().add(viaGw);
            h.routes().add(inTable);
            h.routes().add(v6);
            assertThrows(AlreadyExistsException.class, () -> h.routes().add(viaGw));
            h.routes().replace(viaGw);
            JsonObject r = IpJson.ip(sandbox, ns, "route", "show", "10.40.0.0/16").get(0);
            assertEquals("10.30.0.254", IpJson.str(r, "gateway"));
            assertEquals(50, r.get("metric").getAsInt());
            assertEquals("r0", IpJson.str(r, "dev"));
            assertEquals("10.50.0.0/16", IpJson.str(IpJson.ip(sandbox, ns, "route", "show", "table", "100").get(0), "dst"));
            assertTrue(h.routes().list(Family.INET, 100).stream().anyMatch(x -> x.destination().equals(inTable.destination())));
            assertTrue(h.routes().list(Family.INET6, null).stream().anyMatch(x -> x.destination().equals(v6.destination())));
            h.routes().delete(viaGw);
            h.routes().delete(inTable);
            h.routes().delete(v6);
            assertThrows(NotFoundException.class, () -> h.routes().delete(viaGw));
            assertTrue(IpJson.ip(sandbox, ns, "route", "show", "10.40.0.0/16").isEmpty());

            PolicyRule rule = new PolicyRule(null, 600, IpPrefix.parse("10.30.0.0/24"), null, IfName.of("r0"), 100);
            h.rules().add(rule);
            assertThrows(AlreadyExistsException.class, () -> h.rules().add(rule));
            JsonObject ipRule = IpJson.ip(sandbox, ns, "rule").stream().filter(o -> o.get("priority").getAsInt() == 600).findFirst().orElseThrow();
            assertEquals("10.30.0.0", IpJson.str(ipRule, "src"));
            assertEquals("r0", IpJson.str(ipRule, "iif"));
            assertEquals("100", IpJson.str(ipRule, "table"));
            h.rules().delete(rule);
            assertThrows(NotFoundException.class, () -> h.rules().delete(rule));

            Neighbour n = new Neighbour(IpAddresses.parse("ip", "10.30.0.9"), MacAddress.parse("02:00:00:00:00:09"), IfName.of("r0"), true);
            h.neighbours().add(n);
            assertThrows(AlreadyExistsException.class, () -> h.neighbours().add(n));
            Neighbour moved = new Neighbour(n.address(), MacAddress.parse("02:00:00:00:00:0a"), IfName.of("r0"), true);
            h.neighbours().replace(moved);
            assertEquals("02:00:00:00:00:0a", IpJson.str(IpJson.ip(sandbox, ns, "neigh", "show", "10.30.0.9").get(0), "lladdr"));
            Neighbour v6n = new Neighbour(IpAddresses.parse("ip", "fd30::9"), MacAddress.parse("02:00:00:00:00:0b"), IfName.of("r0"), true);
            h.neighbours().add(v6n);
            assertTrue(h.neighbours().list(null).containsAll(List.of(moved, v6n)));
            h.neighbours().delete(IfName.of("r0"), n.address());
            assertThrows(NotFoundException.class, () -> h.neighbours().delete(IfName.of("r0"), n.address()));
            assertTrue(IpJson.ip(sandbox, ns, "neigh", "show", "10.30.0.9").isEmpty());
        }
    }
}
