package dev.patchbay.plugin.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.NetworkConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverlayOptionsTest {
    static NetworkConfig config(Map<String, String> options) {
        Map<String, String> o = new HashMap<>(Map.of("etcd", "http://10.0.0.1:2379", "node", "n1"));
        o.putAll(options);
        return new NetworkConfig("ov", "overlay", List.of(), IpPrefix.parse("10.244.0.0/16"), IpAddresses.parse("gw", "10.244.0.1"),
                null, null, o);
    }

    @Test
    void defaultsAndTheNodeSubnetsInOrder() {
        OverlayOptions o = OverlayOptions.of(config(Map.of()));
        assertEquals(24, o.nodePrefix());
        assertEquals(1, o.vni());
        assertEquals(4789, o.port());
        assertEquals(20, o.leaseTtl());
        assertEquals(256, o.count());
        assertEquals(IpPrefix.parse("10.244.0.0/24"), o.nth(0));
        assertEquals(IpPrefix.parse("10.244.255.0/24"), o.nth(255));
        assertEquals("10.244.7.2-10.244.7.254", OverlayOptions.ipamRange(IpPrefix.parse("10.244.7.0/24")));
        assertEquals(IpPrefix.parse("10.244.7.1/24"), OverlayOptions.gateway(IpPrefix.parse("10.244.7.0/24")));
        assertEquals(Map.of("subnet", "10.244.0.0/16", "node-prefix", "24", "vni", "1", "port", "4789"), o.definition());
    }

    @Test
    void wrongOptionsAreRefusedByName() {
        assertTrue(assertThrows(InvalidInputException.class, () -> OverlayOptions.of(config(Map.of("node-prefix", "16"))))
                .getMessage().contains("node-prefix"));
        assertTrue(assertThrows(InvalidInputException.class, () -> OverlayOptions.of(config(Map.of("vni", "0")))).getMessage().contains("vni"));
        assertTrue(assertThrows(InvalidInputException.class, () -> OverlayOptions.of(config(Map.of("node-subnet", "10.245.0.0/24"))))
                .getMessage().contains("node-subnet"));
        assertTrue(assertThrows(InvalidInputException.class, () -> OverlayOptions.of(config(Map.of("node", "a b")))).getMessage().contains("node"));
        Map<String, String> noEtcd = new HashMap<>(config(Map.of()).options());
        noEtcd.remove("etcd");
        NetworkConfig c = config(Map.of());
        assertTrue(assertThrows(InvalidInputException.class, () -> OverlayOptions.of(new NetworkConfig("ov", "overlay", List.of(), c.subnet(),
                c.gateway(), null, null, noEtcd))).getMessage().contains("etcd"));
    }

    @Test
    void aDefinitionThatDiffersFromTheClustersIsRefusedNamingTheOptionAndBothValues() {
        OverlayOptions o = OverlayOptions.of(config(Map.of("vni", "2")));
        o.agreeWith(Map.of("subnet", "10.244.0.0/16", "vni", "2"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> o.agreeWith(Map.of("subnet", "10.244.0.0/16", "node-prefix", "24", "vni", "1", "port", "4789")));
        assertTrue(e.getMessage().contains("vni 1 there, 2 here"), e.getMessage());
        assertTrue(e.getMessage().contains("opt vni"), e.getMessage());
    }

    @Test
    void etcdTlsFromItsThreeOptions() {
        assertEquals(null, OverlayOptions.of(config(Map.of())).tls(), "none given: no TLS of ours");
        OverlayOptions o = OverlayOptions.of(config(Map.of("etcd-ca", "/etc/pki/ca.pem", "etcd-cert", "/etc/pki/n1.pem", "etcd-key", "/etc/pki/n1-key.pem")));
        assertEquals(java.nio.file.Path.of("/etc/pki/n1-key.pem"), o.tls().key());
        InvalidInputException half = assertThrows(InvalidInputException.class, () -> OverlayOptions.of(config(Map.of("etcd-cert", "/etc/pki/n1.pem"))));
        assertTrue(half.getMessage().contains("etcd-key"), half.getMessage());
        InvalidInputException relative = assertThrows(InvalidInputException.class, () -> OverlayOptions.of(config(Map.of("etcd-ca", "ca.pem"))));
        assertTrue(relative.getMessage().contains("etcd-ca") && relative.getMessage().contains("ca.pem"), relative.getMessage());
    }
}
