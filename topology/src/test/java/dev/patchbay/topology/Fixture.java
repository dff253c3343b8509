package dev.patchbay.topology;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.AddressOps;
import java.util.List;
import java.util.Map;

/**
 * The demo's scenario as the kernel and the records would show it: host HOST with bridge pbweb0 (10.77.0.1/24), the
 * port vethred, the uplink up0 to "out", a foreign veth stray0 to "stray", and lost0, whose peer is in a namespace
 * not named here; container red (eth0 10.77.0.2/24, 8080:80/tcp published); "lonely", a named namespace nothing joins.
 * Every veth end is index 2 in its namespace: only the peer indexes tell them apart.
 */
final class Fixture {
    private Fixture() {
    }

    static Link link(int index, String name, String kind, Integer master, Integer peer, Integer nsid) {
        return new Link(index, new IfName(name), kind, 1500, null, true, true, master, peer, nsid);
    }

    static AddressOps.Assigned addr(int index, String prefix) {
        return new AddressOps.Assigned(index, IpPrefix.parse(prefix));
    }

    static Topology demo() {
        Assemble.Seen host = new Assemble.Seen("HOST", "HOST", "host", List.of(
                link(1, "lo", null, null, null, null),
                link(3, "pbweb0", "bridge", null, null, null),
                link(4, "vethred", "veth", 3, 2, 0),
                link(5, "up0", "veth", null, 2, 1),
                link(6, "stray0", "veth", null, 2, 2),
                link(7, "lost0", "veth", null, 9, 5)),
                List.of(addr(3, "10.77.0.1/24"), addr(3, "fe80::1c3a:1ff:fe2b:3c4d/64"), addr(5, "198.51.100.1/24"), addr(1, "127.0.0.1/8")),
                List.of(Route.defaultVia(dev.patchbay.core.model.IpAddresses.parse("gw", "198.51.100.2"))));
        Assemble.Seen red = new Assemble.Seen("red", "red", "container", List.of(link(1, "lo", null, null, null, null),
                link(2, "eth0", "veth", null, 4, 0)), List.of(addr(2, "10.77.0.2/24")),
                List.of(Route.defaultVia(dev.patchbay.core.model.IpAddresses.parse("gw", "10.77.0.1"))));
        Assemble.Seen out = new Assemble.Seen("out", "out", "other", List.of(link(2, "eth0", "veth", null, 5, 0)),
                List.of(addr(2, "198.51.100.2/24")), List.of());
        Assemble.Seen stray = new Assemble.Seen("stray", "stray", "other", List.of(link(2, "eth0", "veth", null, 6, 0)), List.of(), List.of());
        Assemble.Seen lonely = new Assemble.Seen("lonely", "lonely", "other", List.of(link(2, "d0", "dummy", null, null, null)), List.of(), List.of());
        NetworkConfig web = new NetworkConfig("web", "bridge", List.of("firewall", "portmap"), IpPrefix.parse("10.77.0.0/24"),
                dev.patchbay.core.model.IpAddresses.parse("gw", "10.77.0.1"), null, null,
                Map.of("bridge", "pbweb0", "masquerade", "true", "uplink", "up0"));
        Attachment a = new Attachment("web", "red", "/run/netns/red", new IfName("eth0"), new IfName("vethred"), null,
                List.of(IpPrefix.parse("10.77.0.2/24")), List.of(PortMapping.parse("8080:80/tcp")));
        return Assemble.of("HOST", List.of(host, red, out, stray, lonely),
                List.of(new Assemble.Recorded(web, "ok", List.of(new Assemble.Placed(a, "red")),
                        List.of(new dev.patchbay.orchestrator.network.NetworkFeatures.Feature("dns", "dns on 10.77.0.1:53, domain patchbay.internal (1 name)",
                                List.of("red -> 10.77.0.2"), Map.of("domain", "patchbay.internal"))))));
    }
}
