package dev.patchbay.plugin.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.FakeNetworkStack;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Golden text: the describe() lines of the rules each plugin contributes. */
class NatPluginsTest {
    private static final IfName BR0 = new IfName("br0");
    private final FakeNetworkStack stack = new FakeNetworkStack();
    private final NetnsHandle host;
    private final FirewallPlugin firewall = new FirewallPlugin();
    private final PortmapPlugin portmap = new PortmapPlugin();

    NatPluginsTest() {
        stack.netns("host");
        host = stack.open(NetnsRef.named("host"));
        host.links().add(LinkSpec.Other.of("eth0", "dummy"));
    }

    static NetworkConfig ipv4(Map<String, String> options) {
        return new NetworkConfig("web", "bridge", List.of("firewall", "portmap"), IpPrefix.parse("10.88.0.0/24"),
                IpAddresses.parse("gw", "10.88.0.1"), null, null, options);
    }

    static NetworkConfig dualStack(Map<String, String> options) {
        return new NetworkConfig("web", "bridge", List.of("firewall", "portmap"), IpPrefix.parse("10.88.0.0/24"),
                IpAddresses.parse("gw", "10.88.0.1"), IpPrefix.parse("fd00:88::/64"), IpAddresses.parse("gw", "fd00:88::1"), options);
    }

    private NetworkContext ctx(NetworkConfig config, IfName hostInterface) {
        return new NetworkContext(host, stack, config, hostInterface);
    }

    private String networkRules(NetworkConfig config, IfName hostInterface) {
        NetworkContext ctx = ctx(config, hostInterface);
        firewall.validate(ctx, List.of());
        List<Rule> rules = new ArrayList<>();
        firewall.networkRules(ctx, rules);
        return lines(rules);
    }

    private static String lines(List<Rule> rules) {
        StringBuilder sb = new StringBuilder();
        rules.forEach(r -> sb.append(dev.patchbay.firewall.host.RuleText.of(r)).append('\n'));
        return sb.toString();
    }

    @Test
    void ipv4NetworkWithMasquerade() {
        assertEquals("""
                forward br0 [10.88.0.0/24]
                masquerade 10.88.0.0/24
                """, networkRules(ipv4(Map.of("masquerade", "true")), BR0));
    }

    @Test
    void dualStackWithUplinkAndIsolation() {
        assertEquals("""
                forward br0 [10.88.0.0/24, fd00:88::/64]
                masquerade 10.88.0.0/24 out eth0
                masquerade fd00:88::/64 out eth0
                isolate br0
                """, networkRules(dualStack(Map.of("masquerade", "yes", "uplink", "eth0", "isolate", "true")), BR0));
    }

    @Test
    void anInternalNetworkIsConfinedAndCannotMasquerade() {
        assertEquals("""
                forward br0 [10.88.0.0/24, fd00:88::/64]
                isolate br0
                internal br0
                """, networkRules(dualStack(Map.of("isolate", "true", "internal", "true")), BR0));
        refused(InvalidInputException.class, "invalid internal \"true\": cannot go with masquerade=true (an internal network has no way out)",
                () -> firewall.validate(ctx(ipv4(Map.of("internal", "true", "masquerade", "true")), BR0), List.of()));
        refused(InvalidInputException.class, "invalid internal \"yes\": needs a driver with an interface in the host (driver \"bridge\" has none)",
                () -> firewall.validate(ctx(ipv4(Map.of("internal", "yes")), null), List.of()));
    }

    @Test
    void anIsolatedNetworkConnectedOnPurposeToItsPeers() {
        assertEquals("""
                forward br0 [10.88.0.0/24]
                isolate br0 but [pb-web, pb-api]
                """, networkRules(ipv4(Map.of("isolate", "true", "peers", "pb-web, pb-api")), BR0));
        refused(InvalidInputException.class, "invalid peers \"pb-web\": needs isolate=true (a network not isolated reaches every one)",
                () -> firewall.validate(ctx(ipv4(Map.of("peers", "pb-web")), BR0), List.of()));
        refused(InvalidInputException.class, "invalid peers \"br0\": names the network's own interface",
                () -> firewall.validate(ctx(ipv4(Map.of("isolate", "true", "peers", "br0")), BR0), List.of()));
        refused(InvalidInputException.class, "invalid peers \"a/b\": \"a/b\" is no interface name",
                () -> firewall.validate(ctx(ipv4(Map.of("isolate", "true", "peers", "a/b")), BR0), List.of()));
    }

    @Test
    void withoutOptionsOnlyForwardingAndWithoutHostInterfaceOnlyMasquerade() {
        assertEquals("forward br0 [10.88.0.0/24]\n", networkRules(ipv4(null), BR0));
        assertEquals("masquerade 10.88.0.0/24\n", networkRules(ipv4(Map.of("masquerade", "true", "isolate", "false")), null));
    }

    @Test
    void attachmentWithTcpAndUdpPortsAndHostAddressesOfOneFamily() {
        Attachment a = new Attachment("web", "red", "/run/netns/red", new IfName("eth0"), new IfName("veth0a480d82"), null,
                List.of(IpPrefix.parse("10.88.0.2/24"), IpPrefix.parse("fd00:88::2/64")),
                Arrays.stream(new String[] {"8080:80/tcp", "5353:53/udp", "127.0.0.1:9000-9001:90-91/tcp", "[::1]:9443:443/tcp"})
                        .map(PortMapping::parse).toList());
        List<Rule> rules = new ArrayList<>();
        portmap.attachmentRules(ctx(dualStack(null), BR0), a, rules);
        assertEquals("""
                publish 8080:80/tcp -> 10.88.0.2
                publish 8080:80/tcp -> fd00:88::2
                publish 5353:53/udp -> 10.88.0.2
                publish 5353:53/udp -> fd00:88::2
                publish 127.0.0.1:9000-9001:90-91/tcp -> 10.88.0.2
                publish [::1]:9443:443/tcp -> fd00:88::2
                """, lines(rules));
    }

    @Test
    void portmapServesPortMappingsAndTheFirewallDeclaresItsOptions() {
        assertEquals(Set.of(NetworkPlugin.PORT_MAPPINGS), portmap.capabilities());
        assertEquals(Set.of("masquerade", "uplink", "isolate", "internal", "peers"), firewall.options().keySet());
        assertEquals(Set.of(), firewall.capabilities());
    }

    private static <T extends PatchbayException> T refused(Class<T> type, String message, Executable call) {
        T e = assertThrows(type, call);
        assertEquals(message, e.getMessage());
        return e;
    }

    @Test
    void firewallOptionErrorsNameTheOptionAndTheValue() {
        refused(InvalidInputException.class, "invalid masquerade \"maybe\": must be true or false",
                () -> firewall.validate(ctx(ipv4(Map.of("masquerade", "maybe")), BR0), List.of()));
        refused(InvalidInputException.class, "invalid isolate \"2\": must be true or false",
                () -> firewall.validate(ctx(ipv4(Map.of("isolate", "2")), BR0), List.of()));
        refused(InvalidInputException.class, "invalid uplink \"br0\": is the network's own interface",
                () -> firewall.validate(ctx(ipv4(Map.of("masquerade", "true", "uplink", "br0")), BR0), List.of()));
        refused(InvalidInputException.class, "invalid uplink \"eth0.x/y\": must not contain '/', ':', whitespace or control characters",
                () -> firewall.validate(ctx(ipv4(Map.of("uplink", "eth0.x/y")), BR0), List.of()));
        refused(NotFoundException.class, "uplink \"eth9\" not found in namespace \"host\"",
                () -> firewall.validate(ctx(ipv4(Map.of("masquerade", "true", "uplink", "eth9")), BR0), List.of()));
        refused(InvalidInputException.class, "invalid isolate \"true\": needs a driver with an interface in the host (driver \"bridge\" has none)",
                () -> firewall.validate(ctx(ipv4(Map.of("isolate", "true")), null), List.of()));
    }

    private void publish(String... ports) {
        portmap.validate(ctx(ipv4(null), BR0), new AttachRequest("web", "red", NetnsRef.named("red"), null, List.of(), null,
                Arrays.stream(ports).map(PortMapping::parse).toList()));
    }

    @Test
    void portsOfOneRequestMayNotOverlap() {
        InvalidInputException e = refused(InvalidInputException.class, "invalid publish \"8085:85/tcp\": overlaps 8080-8090:80-90/tcp",
                () -> publish("8080-8090:80-90/tcp", "8085:85/tcp"));
        assertEquals("publish", e.field());
        refused(InvalidInputException.class, "invalid publish \"8080:81/tcp\": overlaps 127.0.0.1:8080:80/tcp",
                () -> publish("127.0.0.1:8080:80/tcp", "8080:81/tcp"));
        refused(InvalidInputException.class, "invalid publish \"127.0.0.1:53:53/udp\": overlaps 127.0.0.1:53:5353/udp",
                () -> publish("127.0.0.1:53:5353/udp", "127.0.0.1:53:53/udp"));
        publish("8080:80/tcp", "8080:80/udp", "127.0.0.1:9000:90/tcp", "127.0.0.2:9000:90/tcp", "8081:80/tcp");
    }

    /** A network whose record is lost: the options its rules show, read back as they were given. */
    @Test
    void theFirewallsOptionsAreReadBackFromItsRules() {
        for (Map<String, String> given : List.of(Map.<String, String>of(), Map.of("masquerade", "true"),
                Map.of("masquerade", "true", "uplink", "eth0", "isolate", "true"), Map.of("isolate", "true", "internal", "true"),
                Map.of("isolate", "true", "peers", "pb-web,pb-api"))) {
            NetworkContext ctx = ctx(ipv4(given), BR0);
            List<Rule> rules = new ArrayList<>();
            firewall.networkRules(ctx, rules);
            assertEquals(given, firewall.recover(host, "web", rules, List.of()));
        }
    }
}
