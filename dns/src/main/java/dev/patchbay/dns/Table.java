package dev.patchbay.dns;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the daemon serves: the records as last read, overlaid with the dns plugin's word on the changes the daemon made
 * since ({@link #tell}); that word holds until the records agree (its change committed) or for {@code grace} nanoseconds
 * (a change that failed and was undone). Which networks are served, and where, follows from their configurations; a
 * network's zone (its names) is made when a query needs it, again only after something of that network changed: an attach
 * costs no zone, and a burst of them one. Pure; not thread-safe (the server guards it).
 */
final class Table {
    private final long grace;
    private final Map<Key, Told> told = new HashMap<>();
    private Map<String, NetworkConfig> networks = Map.of();
    private Map<String, List<Attachment>> attachments = Map.of();
    /** Each network's zone as last made (empty: it serves none), until something of the network changes. */
    private final Map<String, Optional<Zone>> made = new HashMap<>();

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
        made.remove(network);
    }

    /** The plugin's word on an attachment (null: detached) at {@code now}. */
    void tell(String network, String container, Attachment attachment, long now) {
        told.put(new Key(network, container), new Told(attachment, now));
        made.remove(network);
    }

    /** The records as read at {@code now}: they replace those read before; the plugin's word they agree with, or older than the grace, goes. */
    void recorded(Map<String, NetworkConfig> networks, Map<String, List<Attachment>> attachments, long now) {
        Set<String> names = new HashSet<>(this.networks.keySet());
        names.addAll(networks.keySet());
        for (String n : names) {
            if (!Objects.equals(this.networks.get(n), networks.get(n)) || !Objects.equals(this.attachments.get(n), attachments.get(n))) {
                made.remove(n);
            }
        }
        this.networks = Map.copyOf(networks);
        this.attachments = Map.copyOf(attachments);
        told.entrySet().removeIf(e -> {
            boolean gone = now - e.getValue().at() > grace || agree(e.getKey(), e.getValue());
            if (gone) {
                made.remove(e.getKey().network());
            }
            return gone;
        });
    }

    private boolean agree(Key k, Told t) {
        boolean recorded = k.container() == null ? networks.containsKey(k.network())
                : attachments.getOrDefault(k.network(), List.of()).stream().anyMatch(a -> a.containerId().equals(k.container()));
        return recorded == (t.value() != null);
    }

    /** Each served network's zone by the gateway addresses its server listens on. */
    Map<InetAddress, Zone> zones() {
        Map<InetAddress, Zone> out = new HashMap<>();
        listening().forEach((g, n) -> out.put(g, zone(n)));
        return out;
    }

    /**
     * The networks served, by the gateway addresses their server listens on: from their configurations alone, so an
     * attach (which changes no configuration) costs no zone; {@link #zone} makes one when a query needs it.
     */
    Map<InetAddress, String> listening() {
        Set<String> names = new HashSet<>(networks.keySet());
        told.keySet().forEach(k -> names.add(k.network()));
        Map<InetAddress, String> out = new HashMap<>();
        for (String n : names) {
            NetworkConfig c = config(n);
            if (c != null && served(c, List.of()) != null) {
                Names.gateways(c).forEach(g -> out.putIfAbsent(g, n));
            }
        }
        return out;
    }

    /** Network {@code name}'s zone, made again only when something of the network changed since it was last made; null if none. */
    Zone zone(String name) {
        return made.computeIfAbsent(name, this::make).orElse(null);
    }

    /** Network {@code name}'s configuration, the plugin's word on it first; null when it has none (or is removed). */
    private NetworkConfig config(String name) {
        Told t = told.get(new Key(name, null));
        return t != null ? (NetworkConfig) t.value() : networks.get(name);
    }

    /** Network {@code name}'s zone from its records overlaid with the plugin's word on it. */
    private Optional<Zone> make(String name) {
        NetworkConfig config = config(name);
        if (config == null) {
            return Optional.empty();
        }
        Map<String, Attachment> atts = new HashMap<>();
        attachments.getOrDefault(name, List.of()).forEach(a -> atts.put(a.containerId(), a));
        told.forEach((k, t) -> {
            if (k.network().equals(name) && k.container() != null) {
                if (t.value() == null) {
                    atts.remove(k.container());
                } else {
                    atts.put(k.container(), (Attachment) t.value());
                }
            }
        });
        return Optional.ofNullable(served(config, List.copyOf(atts.values())));
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
