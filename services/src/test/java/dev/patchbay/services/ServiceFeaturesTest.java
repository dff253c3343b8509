package dev.patchbay.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.orchestrator.network.NetworkFeatures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceFeaturesTest {
    @Test
    void aNetworksServicesAreShownWithTheirBackendsOnlyThereAndInItsHost(@TempDir Path state) {
        ServiceStore store = new ServiceStore(state);
        store.locked(() -> {
            store.put(new ServiceRecord("api", "web", "h1", "10.89.0.5", 80, "tcp", "round-robin",
                    List.of(new ServiceRecord.Backend("a", "a", "10.89.0.2", 8080), new ServiceRecord.Backend("b", "b", "10.89.0.3", 80))));
            store.put(new ServiceRecord("idle", "web", "h1", "10.89.0.6", 53, "udp", "random", List.of()));
            store.put(new ServiceRecord("other", "db", "h1", "10.90.0.5", 80, "tcp", "random", List.of()));
            store.put(new ServiceRecord("elsewhere", "web", "h2", "10.89.0.7", 80, "tcp", "random", List.of()));
            return null;
        });
        NetworkConfig web = new NetworkConfig("web", "bridge", List.of(), IpPrefix.parse("10.89.0.0/24"),
                IpAddresses.parse("gateway", "10.89.0.1"), null, null, Map.of());
        List<NetworkFeatures.Feature> f = new ServiceFeatures().of(new NetworkFeatures.Shown(state, NetnsRef.named("h1"), web, List.of()));
        assertEquals(List.of("service api 10.89.0.5:80/tcp round-robin over 2 backends", "service idle 10.89.0.6:53/udp random over 0 backends"),
                f.stream().map(NetworkFeatures.Feature::title).sorted().toList());
        NetworkFeatures.Feature api = f.stream().filter(x -> x.data().get("name").equals("api")).findFirst().orElseThrow();
        assertEquals(List.of("-> a 10.89.0.2:8080", "-> b 10.89.0.3:80"), api.lines());
        assertEquals("service", api.kind());
        assertEquals(2, ((List<?>) api.data().get("backends")).size());
        NetworkFeatures.Feature idle = f.stream().filter(x -> x.data().get("name").equals("idle")).findFirst().orElseThrow();
        assertEquals(List.of("no backend: connections are refused"), idle.lines());
    }
}
