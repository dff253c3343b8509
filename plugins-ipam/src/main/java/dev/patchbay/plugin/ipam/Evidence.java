package dev.patchbay.plugin.ipam;

import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The kernel's word for {@code ipam gc} on the command line: the addresses of every interface in the given namespace,
 * the current one and every named one ({@code ip netns}). Containers in unnamed namespaces are not seen here; the
 * orchestrator's gc, which knows every recorded namespace, passes its own evidence.
 */
final class Evidence {
    private Evidence() {
    }

    static Predicate<InetAddress> live(NetworkStack stack, NetnsRef cli) {
        Set<NetnsRef> spaces = new LinkedHashSet<>();
        spaces.add(cli);
        spaces.add(NetnsRef.current());
        stack.namespaces().list().forEach(n -> spaces.add(NetnsRef.named(n)));
        Set<InetAddress> live = new HashSet<>();
        for (NetnsRef ns : spaces) {
            try (NetnsHandle h = stack.open(ns)) {
                for (AddressOps.Assigned a : h.addresses().listAll(null)) {
                    live.add(a.address().address());
                }
            } catch (NotFoundException gone) {
                // deleted since it was listed: nothing of it holds an address any more
            }
        }
        return live::contains;
    }
}
