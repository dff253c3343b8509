package dev.patchbay.dns;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.util.List;
import java.util.Map;

/** Networks and attachments as records hold them. */
final class Fixture {
    private Fixture() {
    }

    static NetworkConfig network(String name, Map<String, String> options) {
        return new NetworkConfig(name, "bridge", List.of("firewall", "portmap", "dns"), IpPrefix.parse("10.90.0.0/24"),
                IpAddresses.parse("gateway", "10.90.0.1"), IpPrefix.parse("fd90::/64"), IpAddresses.parse("gateway", "fd90::1"), options);
    }

    static Attachment attachment(String id, String netnsPath, Map<String, String> options, String... addresses) {
        return new Attachment("web", id, netnsPath, new IfName("eth0"), null, null,
                java.util.Arrays.stream(addresses).map(IpPrefix::parse).toList(), List.of(), options);
    }
}
