package dev.patchbay.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.Neighbour;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PolicyRule;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.model.Scope;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seeds' manual steps, done through the NetworkStack and proven by ping and by {@code ip -j}. */
@NetnsTest
class SeedScenariosIT {
    final NetlinkNetworkStack stack = new NetlinkNetworkStack();

    @Test
    void vethPairBetweenTwoNamespaces(Sandbox sandbox) {
        String red = sandbox.name("red");
        String blue = sandbox.name("blue");
        stack.namespaces().create(red);
        stack.namespaces().create(blue);
        assertTrue(sandbox.run("ip", "netns", "list").contains(red), "ip netns sees the namespace");
        try (NetnsHandle r = stack.open(NetnsRef.named(red)); NetnsHandle b = stack.open(NetnsRef.named(blue))) {
            r.links().add(new LinkSpec.Veth(IfName.of("v0"), IfName.of("eth0"), NetnsRef.named(blue), null, null, null));
            r.addresses().add(LinkRef.name("v0"), IpPrefix.parse("10.9.0.1/24"));
            b.addresses().add(LinkRef.name("eth0"), IpPrefix.parse("10.9.0.2/24"));
            for (NetnsHandle h : List.of(r, b)) {
                h.links().setUp(LinkRef.name("lo"), true);
            }
            r.links().setUp(LinkRef.name("v0"), true);
            b.links().setUp(LinkRef.name("eth0"), true);
            assertTrue(sandbox.ping(red, "10.9.0.2"));
            assertTrue(sandbox.ping(blue, "10.9.0.1"));
            JsonObject v0 = IpJson.link(sandbox, red, "v0");
            assertEquals("veth", IpJson.str(v0.getAsJsonObject("linkinfo"), "info_kind"));
            assertEquals(r.links().get(LinkRef.name("v0")).index(), v0.get("ifindex").getAsInt());
        }
        stack.namespaces().delete(red);
        stack.namespaces().delete(blue);
        assertTrue(!sandbox.run("ip", "netns", "list").contains(red));
    }

    @Test
    void bridgeWithTwoNamespacesAndDefaultRoutes(Sandbox sandbox) {
        String[] pods = {sandbox.netns("a"), sandbox.netns("b")};
        try (NetnsHandle host = stack.open(NetnsRef.current())) {
            host.links().add(LinkSpec.Bridge.named("pbbr0"));
            host.addresses().add(LinkRef.name("pbbr0"), IpPrefix.parse("10.66.0.1/24"));
            host.links().setUp(LinkRef.name("pbbr0"), true);
            try {
                for (int i = 0; i < pods.length; i++) {
                    String port = "pbv" + i;
                    host.links().add(new LinkSpec.Veth(IfName.of(port), IfName.of("eth0"), NetnsRef.named(pods[i]), null, null, null));
                    host.links().setMaster(LinkRef.name(port), LinkRef.name("pbbr0"));
                    host.links().setUp(LinkRef.name(port), true);
                    try (NetnsHandle pod = stack.open(NetnsRef.named(pods[i]))) {
                        pod.addresses().add(LinkRef.name("eth0"), IpPrefix.parse("10.66.0." + (10 + i) + "/24"));
                        pod.links().setUp(LinkRef.name("eth0"), true);
                        pod.routes().add(Route.defaultVia(IpAddresses.parse("gw", "10.66.0.1")));
                        assertTrue(IpJson.ip(sandbox, pods[i], "route").stream().anyMatch(o -> "default".equals(IpJson.str(o, "dst"))
                                && "10.66.0.1".equals(IpJson.str(o, "gateway"))));
                        assertTrue(pod.routes().list(null, null).stream().anyMatch(Route::isDefault));
                    }
                    assertEquals("pbbr0", IpJson.str(IpJson.link(sandbox, null, port), "master"));
                }
                assertTrue(sandbox.ping(pods[0], "10.66.0.11"), "pod a reaches pod b over the bridge");
                assertTrue(sandbox.ping(pods[1], "10.66.0.1"), "pod b reaches the gateway");
            } finally {
                host.links().delete(LinkRef.name("pbbr0"));
                host.links().deleteAll(List.of(LinkRef.name("pbv0"), LinkRef.name("pbv1")));
            }
        }
    }

    /** Seed 004 §8: a pod with a /32, a static neighbour for its fake gateway, a host route and a policy rule. */
    @Test
    void routedPodWithStaticNeighbourAndPolicyRule(Sandbox sandbox) {
        String pod = sandbox.netns("pod");
        try (NetnsHandle host = stack.open(NetnsRef.current()); NetnsHandle p = stack.open(NetnsRef.named(pod))) {
            host.links().add(new LinkSpec.Veth(IfName.of("pbveth0"), IfName.of("veth1"), NetnsRef.named(pod), null, null, null));
            PolicyRule rule = new PolicyRule(null, 512, null, IpPrefix.parse("10.0.0.5/32"), null, 254);
            try {
                host.addresses().add(LinkRef.name("lo"), IpPrefix.parse("10.0.0.18/32"));
                p.addresses().add(LinkRef.name("veth1"), IpPrefix.parse("10.0.0.5/32"));
                var mac = host.links().get(LinkRef.name("pbveth0")).mac();
                p.neighbours().add(new Neighbour(IpAddresses.parse("ip", "169.254.1.1"), mac, IfName.of("veth1"), true));
                p.links().setUp(LinkRef.name("veth1"), true);
                p.routes().add(Route.onLink(IpPrefix.parse("169.254.1.1/32"), IfName.of("veth1")));
                p.routes().add(new Route(IpPrefix.parse("0.0.0.0/0"), IpAddresses.parse("gw", "169.254.1.1"), IfName.of("veth1"),
                        null, null, null, null));
                host.links().setUp(LinkRef.name("pbveth0"), true);
                host.routes().add(Route.onLink(IpPrefix.parse("10.0.0.5/32"), IfName.of("pbveth0")));
                host.rules().add(rule);

                assertTrue(sandbox.ping(pod, "10.0.0.18"), "pod reaches the host");
                assertEquals(0, Sandbox.exec("ping", "-c", "1", "-W", "2", "10.0.0.5").code(), "host reaches the pod");
                assertTrue(IpJson.ip(sandbox, null, "rule").stream().anyMatch(o -> o.get("priority").getAsInt() == 512
                        && "10.0.0.5".equals(IpJson.str(o, "dst"))));
                assertTrue(host.rules().list(null).contains(new PolicyRule(dev.patchbay.core.model.Family.INET, 512, null,
                        IpPrefix.parse("10.0.0.5/32"), null, 254)));
                JsonObject n = IpJson.ip(sandbox, pod, "neigh", "show", "169.254.1.1").get(0);
                assertEquals(mac.value(), IpJson.str(n, "lladdr"));
                assertTrue(n.get("state").toString().contains("PERMANENT"));
                assertTrue(p.neighbours().list(null).stream().anyMatch(x -> x.permanent() && x.mac().equals(mac)));
                assertTrue(host.routes().list(null, null).stream().anyMatch(r -> r.destination().equals(IpPrefix.parse("10.0.0.5/32"))
                        && r.scope() == Scope.LINK && IfName.of("pbveth0").equals(r.device())));
            } finally {
                host.rules().delete(rule);
                host.addresses().delete(LinkRef.name("lo"), IpPrefix.parse("10.0.0.18/32"));
                host.links().delete(LinkRef.name("pbveth0"));
            }
        }
    }
}
