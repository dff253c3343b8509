package dev.patchbay.doctor.explain;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One end of a path: a container (its attachments, by the id Patchbay recorded: the netns name or {@code --id}), the
 * host (one of its addresses) or the outside (an address that is neither; {@code outside} alone is the host's default
 * gateway).
 */
record Endpoint(Kind kind, String label, InetAddress address, List<Attachment> attachments) {
    enum Kind { CONTAINER, HOST, OUTSIDE }

    static final String OUTSIDE = "outside";

    /** Resolves {@code text} (the argument {@code field}) among the host's networks' attachments and its addresses. */
    static Endpoint resolve(String field, String text, Map<String, List<Attachment>> byNetwork, NetnsHandle host) {
        List<Attachment> all = byNetwork.values().stream().flatMap(List::stream).toList();
        List<Attachment> named = all.stream().filter(a -> a.containerId().equals(text)).sorted(Comparator.comparing(Attachment::network)).toList();
        if (!named.isEmpty()) {
            return new Endpoint(Kind.CONTAINER, text, null, named);
        }
        if (text.equals(OUTSIDE)) {
            Optional<Route> def = host.routes().list(Family.INET, null).stream().filter(Route::isDefault).filter(r -> r.gateway() != null)
                    .min(Comparator.comparingInt(r -> r.metric() == null ? 0 : r.metric()));
            return new Endpoint(Kind.OUTSIDE, OUTSIDE, def.map(Route::gateway).orElse(null), List.of());
        }
        InetAddress address;
        try {
            address = IpAddresses.parse(field, text);
        } catch (RuntimeException e) {
            throw new InvalidInputException(field, text, "expected a container attached to a network of this host (its netns name or --id),"
                    + " an address, or outside");
        }
        List<Attachment> holders = all.stream().filter(a -> a.addresses().stream().anyMatch(p -> p.address().equals(address))).toList();
        if (!holders.isEmpty()) {
            return new Endpoint(Kind.CONTAINER, holders.get(0).containerId(), address, holders);
        }
        boolean hosts = host.addresses().listAll(null).stream().anyMatch(x -> x.address().address().equals(address));
        return new Endpoint(hosts ? Kind.HOST : Kind.OUTSIDE, text, address, List.of());
    }

    /** The address of this end on {@code a} of the family of {@code like} (IPv4 when null). */
    static InetAddress addressOn(Attachment a, InetAddress like) {
        Family f = like == null ? Family.INET : Family.of(like);
        return a.addresses().stream().filter(p -> p.family() == f).map(IpPrefix::address).findFirst()
                .orElse(a.addresses().isEmpty() ? null : a.addresses().get(0).address());
    }

    /** The attachment of this container on {@code network}, if it has one. */
    Optional<Attachment> on(String network) {
        return attachments.stream().filter(a -> a.network().equals(network)).findFirst();
    }

    static String describe(NetworkConfig c) {
        return "network \"" + c.name() + "\"";
    }
}
