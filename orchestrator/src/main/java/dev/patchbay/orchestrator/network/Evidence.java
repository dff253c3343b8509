package dev.patchbay.orchestrator.network;

import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Whether an address is in use, by evidence, before it is freed: held by an interface of any container
 * namespace Patchbay has a record of (every attachment log of the state directory, whether or not its network's
 * record can be read), or of any namespace named under /run/netns (an attachment whose record line was lost), or
 * named by an attachment record. Read from the kernel once, on first use; a namespace that cannot be read counts
 * its recorded addresses as held. When in doubt, an address is in use.
 */
final class Evidence implements Predicate<InetAddress> {
    private final NetworkStack stack;
    private final NetworkStore store;
    private Set<InetAddress> held;
    private final java.util.Map<InetAddress, Holder> holders = new java.util.HashMap<>();
    private final Set<InetAddress> ambiguous = new HashSet<>();

    /** An interface that holds an address, as the kernel shows it: its namespace (a path), index, its veth peer's index (in the peer's namespace), name, MAC, and the address with its prefix. */
    record Holder(Path netns, int index, Integer peerIndex, String ifName, dev.patchbay.core.model.MacAddress mac, dev.patchbay.core.model.IpPrefix address) {
    }

    Evidence(NetworkStack stack, NetworkStore store) {
        this.stack = stack;
        this.store = store;
    }

    @Override
    public boolean test(InetAddress address) {
        if (held == null) {
            held = read();
        }
        return held.contains(address);
    }

    /** The interface that holds {@code address} in one of the namespaces read, or null (none, or only a record says so). */
    Holder holder(InetAddress address) {
        test(address);
        return ambiguous.contains(address) ? null : holders.get(address);
    }

    private Set<InetAddress> read() {
        Set<InetAddress> out = new HashSet<>();
        Set<Path> seen = new HashSet<>();
        List<Path> namespaces = new java.util.ArrayList<>();
        for (String network : store.attachmentLogs()) {
            for (Attachment a : store.readableAttachments(network)) {
                a.addresses().forEach(p -> out.add(p.address()));
                if (!a.netnsPath().isEmpty()) {
                    namespaces.add(Path.of(a.netnsPath()));
                }
            }
        }
        try (java.nio.file.DirectoryStream<Path> named = Files.newDirectoryStream(NetnsRef.RUN_DIR)) {
            named.forEach(namespaces::add);
        } catch (java.io.IOException | RuntimeException none) {
            // no named namespaces
        }
        for (Path ns : namespaces) {
            if (!seen.add(ns) || !Files.exists(ns)) {
                continue;
            }
            try (NetnsHandle h = stack.open(NetnsRef.path(ns))) {
                java.util.Map<Integer, dev.patchbay.core.model.Link> links = new java.util.HashMap<>();
                h.links().list().forEach(l -> links.put(l.index(), l));
                for (AddressOps.Assigned x : h.addresses().listAll(null)) {
                    out.add(x.address().address());
                    dev.patchbay.core.model.Link l = links.get(x.linkIndex());
                    Holder was = l == null ? null : holders.putIfAbsent(x.address().address(), new Holder(ns, l.index(), l.peerIndex(), l.name().value(), l.mac(), x.address()));
                    if (was != null) {
                        ambiguous.add(x.address().address()); // held twice: no one interface is its holder
                    }
                }
            } catch (RuntimeException unreadable) {
                // its recorded addresses are counted above
            }
        }
        return out;
    }

    /** For messages: the addresses as text. */
    static List<String> format(List<InetAddress> addresses) {
        return addresses.stream().map(IpAddresses::format).toList();
    }
}
