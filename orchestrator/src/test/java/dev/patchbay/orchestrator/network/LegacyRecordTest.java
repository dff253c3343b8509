package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.core.network.NetworkConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A network's configuration as releases before the plugin chain wrote it (the driver's settings as members of the
 * network, no options, no chain), read by this one: its settings become options, its chain the one it had.
 */
class LegacyRecordTest {
    @Test
    void theSettingsOfAnEarlierReleaseBecomeOptionsAndItsChainTheOneItHad() {
        NetworkConfig c = NetworkStore.config("{\"name\":\"half\",\"driver\":\"bridge\",\"subnet\":\"10.80.0.0/24\",\"gateway\":\"10.80.0.1\","
                + "\"subnet6\":null,\"gateway6\":null,\"bridge\":\"pbhalf0\",\"masquerade\":true,\"uplink\":\"eth0\",\"isolate\":false,\"mtu\":null}");
        assertEquals("bridge", c.driver());
        assertEquals(List.of("firewall", "portmap"), c.plugins());
        assertEquals(Map.of("bridge", "pbhalf0", "masquerade", "true", "uplink", "eth0"), c.options(), "set ones only");
    }

    @Test
    void aRecordOfThisReleaseIsReadAsItIs() {
        NetworkConfig c = NetworkStore.config("{\"name\":\"m\",\"driver\":\"macvlan\",\"plugins\":[],\"subnet\":\"10.81.0.0/24\","
                + "\"options\":{\"parent\":\"up0\"}}");
        assertEquals(List.of(), c.plugins());
        assertEquals(Map.of("parent", "up0"), c.options());
        assertEquals(List.of(), NetworkStore.config("{\"name\":\"m\",\"driver\":\"macvlan\",\"subnet\":\"10.81.0.0/24\"}").plugins(),
                "no member it does not know: nothing to upgrade");
    }
}
