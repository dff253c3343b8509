package dev.patchbay.doctor.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.model.Route;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The route lookup of a namespace's main table and the PORT/PROTO argument. */
class LegsTest {
    private static Route route(String dst, String via, String dev, Integer metric) {
        return new Route(IpPrefix.parse(dst), via == null ? null : IpAddresses.parse("via", via), new IfName(dev), null, metric, null, null);
    }

    @Test
    void theLongestPrefixThenTheLowestMetric() {
        Route def = route("0.0.0.0/0", "10.0.0.1", "eth0", null);
        Route subnet = route("10.0.0.0/24", null, "eth0", null);
        Route other = route("10.0.0.0/24", null, "eth1", 100);
        List<Route> routes = List.of(def, other, subnet);
        assertEquals(subnet, Legs.lookup(routes, IpAddresses.parse("d", "10.0.0.9")).orElseThrow());
        assertEquals(def, Legs.lookup(routes, IpAddresses.parse("d", "198.51.100.2")).orElseThrow());
        assertTrue(Legs.lookup(List.of(subnet), IpAddresses.parse("d", "198.51.100.2")).isEmpty());
        assertEquals("default via 10.0.0.1 dev eth0", Legs.describe(def));
    }

    @Test
    void portAndProtocol() {
        assertEquals(new Explain.Port(Protocol.TCP, 8080), Explain.Port.parse("8080/tcp"));
        assertEquals("53/udp", Explain.Port.parse("53/UDP").toString());
        InvalidInputException bad = assertThrows(InvalidInputException.class, () -> Explain.Port.parse("8080"));
        assertTrue(bad.getMessage().contains("PORT/PROTO") && bad.getMessage().contains("8080"), bad.getMessage());
        assertThrows(InvalidInputException.class, () -> Explain.Port.parse("70000/tcp"));
        assertThrows(InvalidInputException.class, () -> Explain.Port.parse("80/icmp"));
    }
}
