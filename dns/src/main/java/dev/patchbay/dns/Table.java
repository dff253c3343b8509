package dev.patchbay.dns;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the daemon serves: the records as last read, overlaid with the dns plugin's word on the changes the daemon made
 * since ({@link #tell}); that word holds until the records agree (its change committed) or for {@code grace} nanoseconds
 * (a change that failed and was undone). Pure; not thread-safe (the server guards it).
 */
final class Table {
    private final long grace;
    private final Map<Key, Told> told = new HashMap<>();
    private Map<String, NetworkConfig> networks = Map.of();
    private Map<String, List<Attachment>> attachments = Map.of();

    /** A network ({@code container} null) or one of its attachments. */
    private record Key(String network, String container) {
    }

    /** What the plugin said of it, when: a network's config or an attachment; null: it is gone. */
    private record Told(Object value, long at) {
    }

    Table(long grace) {
        this.grace = grace;
    }

    /** The plugin's word on a network (null: removed) at {@code now}. */
    void tell(String network, NetworkConfig config, long now) {
        told.put(new Key(network, null), new Told(config, now));
    }

    /** The plugin's word on an attachment (null: detached) at {@code now}. */
    void tell(String network, String container, Attachment attachment, long now) {
        told.put(new Key(network, container), new Told(attachment, now));
    }

    /** The records as read at {@code now}: they replace those read before; the plugin's word they agree with, or older than the grace, goes. */
    void recorded(Map<String, NetworkConfig> networks, Map<String, List<Attachment>> attachments, long now) {
        this.networks = Map.copyOf(networks);
        this.attachments = Map.copyOf(attachments);
        told.entrySet().removeIf(e -> now - e.getValue().at() > grace || agree(e.getKey(), e.getValue()));
    }

    private boolean agree(Key k, Told t) {
        boolean recorded = k.container() == null ? networks.containsKey(k.network())
                : attachments.getOrDefault(k.network(), List.of()).stream().anyMatch(a -> a.containerId().equals(k.container()));
        return recorded == (t.value() != null);
    }

    /** Each served network's zone by the gateway addresses its server listens on. */
    Map<InetAddress, Zone> zones() {
        Map<String, NetworkConfig> nets = new HashMap<>(networks);
        Map<String, Map<String, Attachment>> atts = new HashMap<>();
        attachments.forEach((n, all) -> all.forEach(a -> atts.computeIfAbsent(n, x -> new HashMap<>()).put(a.containerId(), a)));
        told.forEach((k, t) -> {
            if (k.container() == null && t.value() == null) {
                nets.remove(k.network());
            } else if (k.container() == null) {
                nets.put(k.network(), (NetworkConfig) t.value());
            } else if (t.value() == null) {
                atts.getOrDefault(k.network(), new HashMap<>()).remove(k.container());
            } else {
                atts.computeIfAbsent(k.network(), x -> new HashMap<>()).put(k.container(), (Attachment) t.value());
            }
        });
        Map<InetAddress, Zone> out = new HashMap<>();
        for (NetworkConfig c : nets.values()) {
            Zone z = served(c, List.copyOf(atts.getOrDefault(c.name(), Map.of()).values()));
            if (z != null) {
                Names.gateways(c).forEach(g -> out.putIfAbsent(g, z));
            }
        }
        return out;
    }

    /** A network's zone when it serves DNS (its chain has dns, switched on, with a gateway and a valid domain), else null. */
    static Zone served(NetworkConfig c, List<Attachment> attachments) {
        try {
            return c.chain().contains(DnsPlugin.TYPE) && Names.enabled(c) && !Names.gateways(c).isEmpty() ? Zone.of(c, attachments) : null;
        } catch (PatchbayException bad) {
            return null;
        }
    }
}
