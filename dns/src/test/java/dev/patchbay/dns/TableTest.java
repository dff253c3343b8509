package dev.patchbay.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TableTest {
    private static final InetAddress GW = IpAddresses.parse("gw", "10.90.0.1");
    private static final InetAddress GW6 = IpAddresses.parse("gw", "fd90::1");
    private static final InetAddress DB_GW = IpAddresses.parse("gw", "10.91.0.1");
    private final NetworkConfig web = Fixture.network("web", Map.of("dns", "true")); // as network create writes it
    private final Attachment red = Fixture.attachment("red", "/run/netns/red", Map.of(), "10.90.0.2/24");
    private final Table table = new Table(100);

    @Test
    void thePluginsWordIsServedBeforeTheRecordsHaveItAndDropsOnceTheyAgree() {
        table.tell("web", web, 0);
        table.tell("web", "red", red, 1);
        assertEquals(Set.of(GW, GW6), table.zones().keySet(), "both gateways");
        assertTrue(table.zones().get(GW).names().containsKey("red"));
        table.recorded(Map.of(), Map.of(), 2); // read before the change committed: the word holds
        assertTrue(table.zones().get(GW).names().containsKey("red"));
        table.recorded(Map.of("web", web), Map.of("web", List.of(red)), 3);
        table.recorded(Map.of("web", web), Map.of("web", List.of()), 4); // detached by another process
        assertEquals(Map.of(), table.zones().get(GW).names(), "the word agreed with the records and went: they rule again");
    }

    @Test
    void aDetachHidesTheRecordedNameUntilTheRecordsAgreeAndAWordExpires() {
        table.recorded(Map.of("web", web), Map.of("web", List.of(red)), 0);
        table.tell("web", "red", null, 1);
        table.recorded(Map.of("web", web), Map.of("web", List.of(red)), 2); // not committed yet
        assertEquals(Map.of(), table.zones().get(GW).names());
        table.tell("web", null, 3); // a network removal that failed and was undone: the records still have it
        assertEquals(Map.of(), table.zones());
        table.recorded(Map.of("web", web), Map.of("web", List.of(red)), 200);
        assertEquals(Set.of("red"), table.zones().get(GW).names().keySet(), "past the grace the records rule");
    }

    @Test
    void onlyNetworksWithDnsInTheirChainSwitchedOnAreServed() {
        NetworkConfig off = Fixture.network("off", Map.of("dns", "false"));
        NetworkConfig old = new NetworkConfig("old", "bridge", List.of("firewall", "portmap"), web.subnet(), web.gateway(), null, null, Map.of());
        NetworkConfig bad = Fixture.network("bad", Map.of("dns", "true", "dns.domain", "-x"));
        NetworkConfig cni = Fixture.network("cni", Map.of());
        assertNull(Table.served(off, List.of()));
        assertNull(Table.served(old, List.of()), "a network made before dns was in the chain");
        assertNull(Table.served(bad, List.of()));
        assertNull(Table.served(cni, List.of()), "a CNI configuration's network, as the reference bridge: no DNS server");
        assertEquals("web", Table.served(web, List.of()).network());
    }

    @Test
    void aNetworksZoneIsMadeAgainOnlyWhenSomethingOfThatNetworkChanged() {
        NetworkConfig db = new NetworkConfig("db", "bridge", web.plugins(), dev.patchbay.core.model.IpPrefix.parse("10.91.0.0/24"), DB_GW,
                null, null, web.options());
        Attachment blue = Fixture.attachment("blue", "/run/netns/blue", Map.of(), "10.91.0.2/24");
        table.recorded(Map.of("web", web, "db", db), Map.of("web", List.of(red), "db", List.of()), 0);
        Zone webZone = table.zones().get(GW);
        Zone dbZone = table.zones().get(DB_GW);
        assertSame(webZone, table.zones().get(GW), "nothing changed: the same zone");
        table.tell("db", "blue", blue, 1); // an attach on db
        assertSame(webZone, table.zones().get(GW), "web's zone is kept");
        assertTrue(table.zones().get(DB_GW).names().containsKey("blue"), "db's is made again");
        assertNotSame(dbZone, table.zones().get(DB_GW));
        table.recorded(Map.of("web", web, "db", db), Map.of("web", List.of(), "db", List.of(blue)), 2); // red detached elsewhere
        assertEquals(Map.of(), table.zones().get(GW).names(), "a change the records show is served");
        assertTrue(table.zones().get(DB_GW).names().containsKey("blue"));
    }
}
