package dev.patchbay.plugin.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.Neighbour;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NeighbourOps;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.FakeNetworkStack;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerRoutesTest {
    private final FakeNetworkStack stack = new FakeNetworkStack();
    private final IfName vx = IfName.of("pbx-ov");

    static Peer peer(String node, String subnet, String underlay, String mac) {
        return new Peer(node, IpPrefix.parse(subnet), IpAddresses.parse("u", underlay), MacAddress.parse(mac), 1);
    }

    @Test
    void theKernelFollowsThePeersAddedAndGone() {
        stack.netns("n1");
        try (NetnsHandle h = stack.open(NetnsRef.named("n1"))) {
            h.links().add(LinkSpec.Other.of("pbx-ov", "vxlan"));
            h.addresses().add(LinkRef.name(vx), IpPrefix.parse("10.244.0.0/16"));
            h.links().setUp(LinkRef.name(vx), true);
            Peer p2 = peer("n2", "10.244.1.0/24", "192.168.7.2", "02:00:00:00:00:02");
            Peer p3 = peer("n3", "10.244.2.0/24", "192.168.7.3", "02:00:00:00:00:03");
            Peer unpublished = peer("n4", "10.244.3.0/24", "127.0.0.1", "02:00:00:00:00:00");
            List<Peer> peers = PeerRoutes.others(List.of(peer("n1", "10.244.0.0/24", "192.168.7.1", "02:00:00:00:00:01"), p2, p3, unpublished), "n1");
            assertEquals(List.of(p2, p3), peers, "not itself, not a claim that is not published yet");
            PeerRoutes.sync(h, vx, peers);
            PeerRoutes.sync(h, vx, peers); // idempotent
            assertEquals(List.of(PeerRoutes.route(p2, vx), PeerRoutes.route(p3, vx)), viaVx(h));
            assertEquals(2, h.neighbours().listFdb(vx).size());
            assertTrue(h.neighbours().list(Family.INET).contains(new Neighbour(p3.vtep(), p3.vtepMac(), vx, true)));
            assertEquals(List.of(), PeerRoutes.missing(h, vx, peers));
            h.routes().delete(PeerRoutes.route(p2, vx));
            h.neighbours().deleteFdb(new NeighbourOps.Fdb(vx, p2.vtepMac(), p2.underlay()));
            assertEquals(List.of("route to 10.244.1.0/24 (node n2)", "forwarding entry 02:00:00:00:00:02 (node n2)"), PeerRoutes.missing(h, vx, peers));
            PeerRoutes.sync(h, vx, peers);
            assertEquals(List.of(), PeerRoutes.missing(h, vx, peers), "a repair puts them back");
            assertEquals(List.of(), PeerRoutes.stale(h, vx, peers));
            assertEquals(List.of("stale route to 10.244.1.0/24 via 10.244.1.0 (no node holds a lease for it)",
                    "stale neighbour 10.244.1.0 02:00:00:00:00:02 (no node holds a lease for it)",
                    "stale forwarding entry 02:00:00:00:00:02 to 192.168.7.2 (no node holds a lease for it)"), PeerRoutes.stale(h, vx, List.of(p3)),
                    "n2's entries, n2 gone from the store");
            PeerRoutes.sync(h, vx, List.of(p3));
            assertEquals(List.of(), PeerRoutes.stale(h, vx, List.of(p3)), "sync removes what is stale");
            assertEquals(List.of(PeerRoutes.route(p3, vx)), viaVx(h), "n2's route withdrawn");
            assertEquals(List.of(new NeighbourOps.Fdb(vx, p3.vtepMac(), p3.underlay())), h.neighbours().listFdb(vx));
            assertTrue(h.neighbours().list(Family.INET).stream().noneMatch(n -> n.address().equals(p2.vtep())));
            Peer moved = peer("n3", "10.244.2.0/24", "192.168.7.9", "02:00:00:00:00:03");
            PeerRoutes.sync(h, vx, List.of(moved));
            assertEquals(List.of(new NeighbourOps.Fdb(vx, p3.vtepMac(), InetAddress.getByName("192.168.7.9"))), h.neighbours().listFdb(vx),
                    "a node's new underlay address replaces its old one");
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private List<dev.patchbay.core.model.Route> viaVx(NetnsHandle h) {
        return h.routes().list(Family.INET, null).stream().filter(r -> vx.equals(r.device()) && r.gateway() != null).toList();
    }
}
