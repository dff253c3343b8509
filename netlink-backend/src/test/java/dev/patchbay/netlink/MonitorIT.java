package dev.patchbay.netlink;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetEvent;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Events of a namespace reach a monitor, whoever makes the change (patchbay or ip). */
@NetnsTest
class MonitorIT {
    final NetlinkNetworkStack stack = new NetlinkNetworkStack();

    @Test
    void streamsLinkAddressRouteAndNeighbourEvents(Sandbox sandbox) throws Exception {
        String ns = sandbox.netns("mon");
        List<NetEvent> events = new CopyOnWriteArrayList<>();
        try (NetnsHandle h = stack.open(NetnsRef.named(ns)); AutoCloseable m = h.monitor(events::add)) {
            h.links().add(LinkSpec.Veth.pair("m0", "m1"));
            h.links().setUp(LinkRef.name("m0"), true);
            h.links().setUp(LinkRef.name("m1"), true);
            h.addresses().add(LinkRef.name("m0"), IpPrefix.parse("10.70.0.1/24"));
            h.routes().add(new Route(IpPrefix.parse("10.71.0.0/16"), IpAddresses.parse("gw", "10.70.0.9"), null, null, null, null, null));
            h.neighbours().add(new dev.patchbay.core.model.Neighbour(IpAddresses.parse("n", "10.70.0.7"),
                    dev.patchbay.core.model.MacAddress.parse("02:00:00:00:70:07"), new dev.patchbay.core.model.IfName("m0"), true));
            sandbox.run("ip", "-n", ns, "neigh", "del", "10.70.0.7", "dev", "m0");
            sandbox.run("ip", "-n", ns, "link", "add", "mbr", "type", "bridge");
            h.links().delete(LinkRef.name("m0"));
            await(events, e -> e.type() == NetEvent.Type.LINK_NEW && e.link().name().value().equals("m0"));
            await(events, e -> e.type() == NetEvent.Type.ADDR_NEW && e.address().equals(IpPrefix.parse("10.70.0.1/24")));
            await(events, e -> e.type() == NetEvent.Type.ROUTE_NEW && e.route().destination().equals(IpPrefix.parse("10.71.0.0/16"))
                    && "m0".equals(String.valueOf(e.route().device())));
            await(events, e -> e.type() == NetEvent.Type.NEIGH_NEW && e.neighbour().address().equals(IpAddresses.parse("n", "10.70.0.7"))
                    && "02:00:00:00:70:07".equals(e.neighbour().mac().value()) && e.neighbour().device().value().equals("m0") && e.neighbour().permanent());
            await(events, e -> e.type() == NetEvent.Type.NEIGH_DEL && e.neighbour().address().equals(IpAddresses.parse("n", "10.70.0.7")));
            await(events, e -> e.type() == NetEvent.Type.LINK_NEW && e.link().name().value().equals("mbr"));
            await(events, e -> e.type() == NetEvent.Type.LINK_DEL && e.link().name().value().equals("m0"));
        }
    }

    private static void await(List<NetEvent> events, Predicate<NetEvent> what) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (events.stream().anyMatch(what)) {
                return;
            }
            Thread.sleep(20);
        }
        assertTrue(false, "event not seen; got " + events);
    }
}
