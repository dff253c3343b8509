package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Attachments the kernel shows while their record is lost (the last line of an attachment log torn): a readable
 * reservation whose owner has no record, each of whose addresses the reservation's interface holds in one container
 * namespace, that interface the peer of a port of the network's own host interface (its bridge), is recorded again
 * from the kernel: that namespace, interface, MAC, addresses and host-side link. Its published ports are not known: the
 * message says so. Anything less certain stays as it is: the addresses kept, the reservation reported.
 */
final class Orphans {
    private Orphans() {
    }

    /** Records the network's orphans again, under its lock; returns what was done, in words. */
    static List<String> adopt(NetworkManager m, NetworkStore store, NetnsRef hostRef, NetworkRecord rec, Evidence evidence) {
        String name = rec.name();
        NetworkContext ctx = m.context(hostRef, rec.hostNetns(), rec.config(), m.chain(rec.config()));
        Optional<Link> hostIf = ctx.hostInterface() == null ? Optional.empty() : ctx.host().links().find(LinkRef.name(ctx.hostInterface()));
        if (hostIf.isEmpty()) {
            return List.of(); // no interface of the network's own to tell its containers by (or it is gone: repaired first)
        }
        List<Link> ports = ctx.host().links().list().stream().filter(l -> Integer.valueOf(hostIf.get().index()).equals(l.masterIndex())).toList();
        Map<String, List<AllocationRecord>> byOwner = new LinkedHashMap<>();
        for (AllocationRecord r : m.ipam().list(Unplug.ipamDir(store.root(), rec.config()), name)) {
            if (r.readable() && r.ifName() != null && store.attachment(name, r.ownerId()).isEmpty()) {
                byOwner.computeIfAbsent(r.ownerId(), k -> new ArrayList<>()).add(r);
            }
        }
        List<String> done = new ArrayList<>();
        for (Map.Entry<String, List<AllocationRecord>> owner : byOwner.entrySet()) {
            Evidence.Holder first = null;
            List<IpPrefix> addresses = new ArrayList<>();
            for (AllocationRecord r : owner.getValue()) {
                Evidence.Holder h = evidence.holder(r.address());
                if (h == null || !h.ifName().equals(r.ifName()) || (first != null && !first.netns().equals(h.netns()))) {
                    first = null;
                    break;
                }
                first = first == null ? h : first;
                addresses.add(h.address());
            }
            Evidence.Holder holder = first;
            // each end names the other's index (in its own namespace: every container's eth0 may be index 2, so both ways)
            Link port = holder == null ? null : ports.stream().filter(l -> Integer.valueOf(l.index()).equals(holder.peerIndex())
                    && Integer.valueOf(holder.index()).equals(l.peerIndex())).findFirst().orElse(null);
            if (port == null) {
                continue;
            }
            dev.patchbay.core.model.NetnsId netnsId;
            try {
                netnsId = m.stack().identity(NetnsRef.path(first.netns()));
            } catch (PatchbayException gone) {
                continue;
            }
            if (NetnsIdentity.same(rec.hostNetns(), netnsId)) {
                continue; // the network's own host namespace holds it: no container of this network
            }
            store.save(new Attachment(name, owner.getKey(), first.netns().toString(), new IfName(first.ifName()), port.name(), first.mac(),
                    addresses, List.of()), netnsId.toString());
            done.add("network \"" + name + "\": recorded \"" + owner.getKey() + "\" again from the kernel (" + first.ifName() + " "
                    + addresses + " in " + first.netns() + ", host side " + port.name() + "), its record was lost; its published ports, if it had any, are not"
                    + " known: publish them again");
        }
        return done;
    }
}
