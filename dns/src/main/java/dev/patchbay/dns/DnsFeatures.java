package dev.patchbay.dns;

import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.orchestrator.network.NetworkFeatures;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.service.component.annotations.Component;

/**
 * A network's DNS as {@code topology} and {@code network inspect} show it: where its server listens, its domain, and
 * each name it answers with the addresses, read from the same zone the server answers from.
 */
@Component
public final class DnsFeatures implements NetworkFeatures {
    @Override
    public List<Feature> of(Shown shown) {
        NetworkConfig config = shown.config();
        Zone zone = Table.served(config, shown.attachments());
        if (zone == null) {
            return List.of();
        }
        List<String> servers = Names.gateways(config).stream().map(g -> g instanceof java.net.Inet6Address
                ? "[" + IpAddresses.format(g) + "]:53" : IpAddresses.format(g) + ":53").toList();
        Map<String, List<String>> names = new TreeMap<>();
        zone.names().forEach((n, addresses) -> names.put(n, addresses.stream().map(InetAddress.class::cast).map(IpAddresses::format).toList()));
        List<String> lines = new ArrayList<>();
        names.forEach((n, a) -> lines.add(n + " -> " + String.join(", ", a)));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("servers", servers);
        data.put("domain", zone.domain());
        data.put("names", names);
        return List.of(new Feature("dns", "dns on " + String.join(" ", servers) + ", domain " + zone.domain()
                + " (" + names.size() + (names.size() == 1 ? " name)" : " names)"), lines, data));
    }
}
