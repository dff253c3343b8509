package dev.patchbay.plugin.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.CniChange;
import dev.patchbay.core.network.NetworkConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The CNI types portmap and firewall as calls on a Patchbay network ({@code cniChange}): configurations written as the
 * contract hands them over (maps, lists, strings, booleans, longs); what is not served is UnavailableException naming the
 * key, a bad value InvalidInputException naming the field.
 */
class NatCniTest {
    static final NetworkConfig NET = network("podn", List.of("firewall", "portmap"), Map.of());

    static NetworkConfig network(String name, List<String> plugins, Map<String, String> options) {
        return new NetworkConfig(name, "bridge", plugins, IpPrefix.parse("subnet", "10.88.0.0/16"), null, null, null, options);
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, Object> conf(String type, Object... kv) {
        Map<String, Object> m = map("cniVersion", "1.0.0", "name", "podn", "type", type);
        m.putAll(map(kv));
        return m;
    }

    static CniChange portmap(Map<String, Object> conf, NetworkConfig net) {
        return new PortmapPlugin().cniChange(conf, Map.of(), net);
    }

    static CniChange firewall(Map<String, Object> conf, NetworkConfig net) {
        return new FirewallPlugin().cniChange(conf, Map.of(), net);
    }

    @Test
    void portMappingsArePublishedEachOnceWithTheirProtocolAndHostAddress() {
        CniChange c = portmap(conf("portmap", "capabilities", map("portMappings", true), "runtimeConfig", map("portMappings", List.of(
                map("hostPort", 8080L, "containerPort", 80L, "protocol", "tcp"),
                map("hostPort", 5353L, "containerPort", 53L, "protocol", "UDP", "hostIP", "127.0.0.1"),
                map("hostPort", 8080L, "containerPort", 80L)))), NET);
        assertEquals(List.of(PortMapping.parse("8080:80/tcp"), PortMapping.parse("127.0.0.1:5353:53/udp")), c.ports());
        assertNull(c.sysctls(), "nothing in the container's namespace");
        assertNull(c.backend());
    }

    @Test
    void noRuntimeConfigPublishesNothingButStillActsOnTheAttachment() {
        assertEquals(List.of(), portmap(conf("portmap"), NET).ports(), "empty, not null: DEL unpublishes, CHECK finds the attachment");
        assertEquals("nftables", portmap(conf("portmap", "backend", "nftables"), NET).backend());
        assertNull(portmap(conf("portmap", "backend", ""), NET).backend(), "empty is absent");
    }

    @Test
    void aNetworkPatchbayDoesNotHaveOrWithoutThePluginInItsChainIsNotServed() {
        assertNotServed("name", () -> portmap(conf("portmap"), null));
        assertNotServed("name", () -> portmap(conf("portmap"), network("podn", List.of("firewall"), Map.of())));
        assertNotServed("name", () -> firewall(conf("firewall"), network("podn", List.of("portmap"), Map.of())));
    }

    @Test
    void portmapKeysPatchbayDoesNotServeAreUnavailableNamingTheKey() {
        assertNotServed("snat", () -> portmap(conf("portmap", "snat", false), NET));
        assertNotServed("masqAll", () -> portmap(conf("portmap", "masqAll", true), NET));
        assertNotServed("markMasqBit", () -> portmap(conf("portmap", "markMasqBit", 13L), NET));
        assertNotServed("externalSetMarkChain", () -> portmap(conf("portmap", "externalSetMarkChain", "KUBE-MARK"), NET));
        assertNotServed("conditionsV4", () -> portmap(conf("portmap", "conditionsV4", List.of("-s", "1.2.3.4")), NET));
        assertEquals(List.of(), portmap(conf("portmap", "snat", true, "masqAll", false, "markMasqBit", 0L, "conditionsV6", List.of(),
                "externalSetMarkChain", ""), NET).ports(), "unset is served");
    }

    @Test
    void badPortMappingsNameTheField() {
        assertInvalid("runtimeConfig.portMappings[0].hostPort", () -> portmap(conf("portmap", "runtimeConfig",
                map("portMappings", List.of(map("containerPort", 80L)))), NET));
        assertInvalid("runtimeConfig.portMappings[0].containerPort", () -> portmap(conf("portmap", "runtimeConfig",
                map("portMappings", List.of(map("hostPort", 8080L, "containerPort", 70000L)))), NET));
        assertInvalid("runtimeConfig.portMappings[0].protocol", () -> portmap(conf("portmap", "runtimeConfig",
                map("portMappings", List.of(map("hostPort", 8080L, "containerPort", 80L, "protocol", "icmp")))), NET));
        assertInvalid("runtimeConfig.portMappings[0].hostIP", () -> portmap(conf("portmap", "runtimeConfig",
                map("portMappings", List.of(map("hostPort", 8080L, "containerPort", 80L, "hostIP", "host")))), NET));
        assertInvalid("runtimeConfig", () -> portmap(conf("portmap", "runtimeConfig", "x"), NET));
        assertInvalid("snat", () -> portmap(conf("portmap", "snat", "yes"), NET));
    }

    @Test
    void firewallServesOpenEverywhereAndSameBridgeOnAnIsolatedNetwork() {
        CniChange open = firewall(conf("firewall", "ingressPolicy", "open", "backend", "iptables"), NET);
        assertEquals("iptables", open.backend());
        assertNull(open.ports(), "nothing of the attachment's");
        assertNull(open.sysctls());
        NetworkConfig isolated = network("podn", List.of("firewall", "portmap"), Map.of("isolate", "true"));
        assertNull(firewall(conf("firewall", "ingressPolicy", "same-bridge"), isolated).ports());
        assertNotServed("ingressPolicy", () -> firewall(conf("firewall", "ingressPolicy", "same-bridge"), NET));
        assertInvalid("ingressPolicy", () -> firewall(conf("firewall", "ingressPolicy", "closed"), NET));
        assertNotServed("iptablesAdminChainName", () -> firewall(conf("firewall", "iptablesAdminChainName", "CNI-ADMIN"), NET));
        assertNotServed("firewalldZone", () -> firewall(conf("firewall", "firewalldZone", "trusted"), NET));
    }

    private static void assertNotServed(String key, Executable call) {
        UnavailableException e = assertThrows(UnavailableException.class, call);
        assertEquals(key, ((InvalidInputException) e.getCause()).field(), e.getMessage());
    }

    private static void assertInvalid(String field, Executable call) {
        InvalidInputException e = assertThrows(InvalidInputException.class, call);
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
