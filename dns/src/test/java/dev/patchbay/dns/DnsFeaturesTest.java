package dev.patchbay.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.orchestrator.network.NetworkFeatures.Feature;
import dev.patchbay.orchestrator.network.NetworkFeatures.Shown;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DnsFeaturesTest {
    static Shown shown(dev.patchbay.core.network.NetworkConfig config, List<dev.patchbay.core.network.Attachment> attachments) {
        return new Shown(java.nio.file.Path.of("/nowhere"), dev.patchbay.core.model.NetnsRef.current(), config, attachments);
    }

    @Test
    void aServingNetworkShowsItsServersDomainAndEveryName() {
        List<Feature> f = new DnsFeatures().of(shown(Fixture.network("web", Map.of("dns", "true")), List.of(
                Fixture.attachment("c1", "/run/netns/red", Map.of("alias", "db"), "10.90.0.2/24", "fd90::2/64"),
                Fixture.attachment("c2", "/proc/42/ns/net", Map.of(), "10.90.0.3/24"))));
        assertEquals(1, f.size());
        assertEquals("dns on 10.90.0.1:53 [fd90::1]:53, domain patchbay.internal (4 names)", f.get(0).title());
        assertEquals(List.of("c1 -> 10.90.0.2, fd90::2", "c2 -> 10.90.0.3", "db -> 10.90.0.2, fd90::2", "red -> 10.90.0.2, fd90::2"),
                f.get(0).lines());
        assertEquals(List.of("10.90.0.1:53", "[fd90::1]:53"), f.get(0).data().get("servers"));
        assertTrue(((Map<?, ?>) f.get(0).data().get("names")).containsKey("db"));
    }

    @Test
    void aNetworkWithoutDnsShowsNothing() {
        assertEquals(List.of(), new DnsFeatures().of(shown(Fixture.network("web", Map.of("dns", "false")), List.of())));
    }
}
