package dev.patchbay.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceChecksTest {
    @Test
    void readsEachBridgePortsHairpinFromIproute2sJson() {
        String json = "[{\"ifindex\":4,\"ifname\":\"pb1a\",\"master\":\"br0\",\"hairpin\":true,\"isolated\":false},"
                + "{\"ifindex\":5,\"ifname\":\"pb1b\",\"master\":\"br0\",\"hairpin\":false},{\"ifindex\":6,\"ifname\":\"vx0\"}]";
        assertEquals(Map.of("pb1a", true, "pb1b", false), ServiceChecks.parse(json));
        assertEquals(Map.of(), ServiceChecks.parse("\n"));
    }
}
